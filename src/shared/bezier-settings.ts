/** Settings of the control point's training: pure data, so the page can import them without engine code. */
import { defaultsOf, numberField, tableProblem, wholeField, type FieldTable } from './fields.ts';

/** Training of the control point (Eq. 5). The paper gives none of these; METHOD-NOTES asks for exposed defaults. */
export interface BezierSettings {
  lr: number;
  steps: number;
  /** tau samples per step (each one item of the batch). */
  samples: number;
  seed: number;
}

/** Declared once (fields.ts): the interpolate view's form and URL, and the worker's check, read them. */
export const BEZIER_FIELDS: FieldTable<BezierSettings> = {
  lr: numberField({ key: 'lr', url: 'bez_lr', label: 'Bezier lr', help: "the control point's learning rate", fallback: 0.05, above: 0, max: 10 }),
  steps: wholeField({ key: 'steps', url: 'bez_steps', label: 'Bezier steps', help: 'training steps', fallback: 100, min: 1, max: 100_000 }),
  samples: wholeField({ key: 'samples', url: 'bez_samples', label: 'tau samples per step', help: 'points along the curve per step', fallback: 4, min: 1, max: 256 }),
  seed: wholeField({ key: 'seed', url: 'bez_seed', label: 'Bezier seed', help: 'seed of the tau samples', fallback: 0, min: 0, max: 0xffffffff }),
};

export const BEZIER_DEFAULTS: BezierSettings = defaultsOf(BEZIER_FIELDS);

export function validateBezierSettings(s: BezierSettings): void {
  const problem = tableProblem(BEZIER_FIELDS, s);
  if (problem) throw new Error(problem);
}
