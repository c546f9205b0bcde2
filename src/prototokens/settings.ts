import { DEFAULT_LAYOUT, type FirstTarget, type LayoutName } from './layouts.ts';

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

/** The paper's training details (Section 4) and METHOD-NOTES. */
export const PAPER_SETTINGS: ProtoSettings = {
  layout: DEFAULT_LAYOUT,
  firstTarget: 'e',
  seed: 0,
  init: 'normal',
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.9,
  eps: 1e-8,
  weightDecay: 0.01,
  maxSteps: 5000,
  reportEvery: 10,
  patience: 0,
};

export function validateSettings(s: ProtoSettings): void {
  const bad = (what: string) => {
    throw new Error(`Setting ${what}`);
  };
  if (!(s.lr > 0 && Number.isFinite(s.lr))) bad(`lr = ${s.lr}: use a positive learning rate such as 0.01.`);
  if (!(s.beta1 >= 0 && s.beta1 < 1)) bad(`beta1 = ${s.beta1}: use a value in [0, 1).`);
  if (!(s.beta2 >= 0 && s.beta2 < 1)) bad(`beta2 = ${s.beta2}: use a value in [0, 1).`);
  if (!(s.weightDecay >= 0)) bad(`weight decay = ${s.weightDecay}: use 0 or more.`);
  if (!(Number.isInteger(s.maxSteps) && s.maxSteps >= 1)) bad(`steps = ${s.maxSteps}: use a positive whole number.`);
  if (!(Number.isInteger(s.reportEvery) && s.reportEvery >= 1)) bad(`report interval = ${s.reportEvery}: use a positive whole number.`);
  if (!(Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= 0xffffffff)) bad(`seed = ${s.seed}: use a whole number from 0 to 4294967295.`);
  if (!(Number.isInteger(s.patience) && s.patience >= 0)) bad(`patience = ${s.patience}: use 0 (off) or a positive whole number.`);
}
