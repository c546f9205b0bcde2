/**
 * How an encoder measurement is summarised, for `protolab encoder eval` and the Experiments
 * view alike (one rule, so the page's table and the command's output agree): the zero-shot
 * accuracies over texts, and the steps to accuracy 1.0 where an unsolved run counts as more than
 * the budget, and how the warm-start batch is laid out. Pure: no model, no GPU.
 */
import type { SolveItem } from './warm-start.ts';
import type { ProtoVectors } from '../prototokens/trainer.ts';

export interface StepsSummary {
  /** Items that reached accuracy 1.0 within the budget, of all. */
  solved: number;
  items: number;
  /** Median and quartiles of the steps, an unsolved item counting as more than the budget (null where the quantile is unsolved). */
  median: number | null;
  q1: number | null;
  q3: number | null;
}

/** Mean, standard deviation (population), min and max of per-text correct fractions. */
export interface FractionSummary {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** Quantile q of steps, null (unsolved) sorting after every number. */
function quantile(xs: (number | null)[], q: number): number | null {
  const s = [...xs].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
  const at = (i: number) => s[Math.min(s.length - 1, Math.max(0, i))];
  const pos = (s.length - 1) * q;
  const lo = at(Math.floor(pos));
  const hi = at(Math.ceil(pos));
  if (lo === null || hi === null) return null;
  return lo + (hi - lo) * (pos - Math.floor(pos));
}

export function summariseSteps(xs: (number | null)[]): StepsSummary {
  return { solved: xs.filter((x) => x !== null).length, items: xs.length, median: quantile(xs, 0.5), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75) };
}

export function summariseFractions(fr: readonly number[]): FractionSummary {
  const mean = fr.reduce((a, x) => a + x, 0) / fr.length;
  return { mean, sd: Math.sqrt(fr.reduce((a, x) => a + (x - mean) ** 2, 0) / fr.length), min: Math.min(...fr), max: Math.max(...fr) };
}

/** Encoder steps over draw steps at the median; null when either median is unsolved. */
export function medianRatio(encoder: StepsSummary, normal: StepsSummary): number | null {
  return encoder.median !== null && normal.median !== null ? encoder.median / normal.median : null;
}

/**
 * The warm-start batch for `stepsToSolve`: per text, one item from the encoder's predicted e and m,
 * then `seeds` items from the seeded draw (seeds seed + s), all in one batch so both see the same
 * optimiser, budget and adapter.
 */
export function warmStartItems(texts: readonly number[][], starts: readonly ProtoVectors[], seeds: number, seed: number): SolveItem[] {
  return texts.flatMap((tokens, i) => [
    { tokens, start: starts[i], seed },
    ...Array.from({ length: seeds }, (_, s) => ({ tokens, start: null, seed: seed + s })),
  ]);
}

/** warmStartItems' results back per text: the encoder's run, and the draws' runs. */
export function splitWarmStart(solved: readonly (number | null)[], texts: number, seeds: number): { fromEncoder: (number | null)[]; fromDraw: (number | null)[][] } {
  const per = 1 + seeds;
  return {
    fromEncoder: Array.from({ length: texts }, (_, i) => solved[i * per]),
    fromDraw: Array.from({ length: texts }, (_, i) => solved.slice(i * per + 1, (i + 1) * per)),
  };
}
