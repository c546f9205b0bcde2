import { DEFAULT_LAYOUT, LAYOUT_NAMES, type FirstTarget, type LayoutName } from './layouts.ts';
import { choiceField, defaultsOf, numberField, tableProblem, wholeField, type FieldTable } from './fields.ts';

/** Everything that determines a proto-token run; with the model and the text it reproduces the run exactly. */
export interface ProtoSettings {
  layout: LayoutName;
  firstTarget: FirstTarget;
  seed: number;
  /** 'normal': N(0, 1) as in the paper; 'embedding-std': N(0, std of the embedding matrix) as in Kuratov et al. */
  init: 'normal' | 'embedding-std';
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  maxSteps: number;
  /** Read metrics back every this many steps. */
  reportEvery: number;
  /** Stop after this many steps without a strict gain in correct tokens (0: never). */
  patience: number;
}

/**
 * The run settings, declared once (settings/fields.ts): the page's URL and form, the command
 * line's flags and --help, and the engine's validation all read them from here. The defaults are
 * the paper's training details (Section 4) and METHOD-NOTES. Bounds: steps at most 100000 (20x
 * the paper's budget; hours on a CPU adapter), lr at most 10 (AdamW's step is about lr per
 * coordinate; past that nothing converges), the seed a u32 (the GPU's RNG state).
 */
export const RUN_FIELDS: FieldTable<ProtoSettings> = {
  maxSteps: wholeField({ key: 'maxSteps', url: 'steps', flag: 'steps', label: 'steps', help: 'optimisation steps', fallback: 5000, min: 1, max: 100_000, usage: 'S' }),
  lr: numberField({ key: 'lr', url: 'lr', flag: 'lr', label: 'lr', help: 'AdamW learning rate', fallback: 0.01, above: 0, max: 10 }),
  seed: wholeField({ key: 'seed', url: 'seed', flag: 'seed', label: 'seed', help: 'seed of the starting vectors', fallback: 0, min: 0, max: 0xffffffff, usage: 'K' }),
  reportEvery: wholeField({ key: 'reportEvery', url: 'report', flag: 'report-every', label: 'report interval', help: 'steps between metric read-backs', fallback: 10, min: 1, max: 10_000, usage: 'K' }),
  layout: choiceField({ key: 'layout', url: 'layout', flag: 'layout', label: 'layout', help: 'where e and m sit in the input (Table 1)', fallback: DEFAULT_LAYOUT, values: LAYOUT_NAMES, usage: 'NAME' }),
  firstTarget: choiceField({ key: 'firstTarget', url: 'target', flag: 'first-target', label: 'first target', help: 'the first token is predicted at e, or at the first m', fallback: 'e', values: ['e', 'first-m'] }),
  init: choiceField({ key: 'init', flag: 'init', label: 'init', help: 'starting vectors drawn N(0, 1), or N(0, std of the embeddings)', fallback: 'normal', values: ['normal', 'embedding-std'] }),
  beta1: numberField({ key: 'beta1', label: 'beta1', help: "AdamW's first-moment decay", fallback: 0.9, min: 0, below: 1 }),
  beta2: numberField({ key: 'beta2', label: 'beta2', help: "AdamW's second-moment decay", fallback: 0.9, min: 0, below: 1 }),
  eps: numberField({ key: 'eps', label: 'eps', help: "AdamW's epsilon", fallback: 1e-8, above: 0, max: 1 }),
  weightDecay: numberField({ key: 'weightDecay', label: 'weight decay', help: "AdamW's decoupled weight decay", fallback: 0.01, min: 0, max: 10 }),
  patience: wholeField({ key: 'patience', label: 'patience', help: 'steps without a gain before stopping (0: never)', fallback: 0, min: 0, max: 100_000 }),
};

/** The paper's training details (Section 4) and METHOD-NOTES: the run table's defaults. */
export const PAPER_SETTINGS: ProtoSettings = defaultsOf(RUN_FIELDS);

/** Refuses settings outside the run table's bounds: "Setting lr = -1: lr must be a number above 0 and at most 10." */
export function validateSettings(s: Partial<ProtoSettings>): void {
  const problem = tableProblem(RUN_FIELDS, s);
  if (problem) throw new Error(`Setting ${problem}`);
}
