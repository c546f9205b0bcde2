/** Settings of the control point's training: pure data, so the page can import them without engine code. */
/** Training of the control point (Eq. 5). The paper gives none of these; METHOD-NOTES asks for exposed defaults. */
export interface BezierSettings {
  lr: number;
  steps: number;
  /** tau samples per step (each one item of the batch). */
  samples: number;
  seed: number;
}

export const BEZIER_DEFAULTS: BezierSettings = { lr: 0.05, steps: 100, samples: 4, seed: 0 };

export function validateBezierSettings(s: BezierSettings): void {
  if (!(s.lr > 0 && Number.isFinite(s.lr))) throw new Error(`Bezier lr = ${s.lr}: use a positive learning rate such as ${BEZIER_DEFAULTS.lr}.`);
  if (!(Number.isInteger(s.steps) && s.steps >= 1)) throw new Error(`Bezier steps = ${s.steps}: use a positive whole number.`);
  if (!(Number.isInteger(s.samples) && s.samples >= 1 && s.samples <= 256)) throw new Error(`Bezier tau samples per step = ${s.samples}: use a whole number from 1 to 256.`);
  if (!(Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= 0xffffffff)) throw new Error(`Bezier seed = ${s.seed}: use a whole number from 0 to 4294967295.`);
}
