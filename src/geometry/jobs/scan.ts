import type { Model } from '../../model/model.ts';
import { PathEvaluator } from './evaluator.ts';
import { bezierPoint, midpoint, tauGrid } from '../path.ts';
import type { SolutionPair } from '../pair.ts';

export interface PathScan {
  tau: number[];
  /** Summed loss over the text (nats) at each tau. */
  loss: number[];
  /** Correct tokens / N of the one-pass decoding at each tau. */
  accuracy: number[];
  /** One-pass argmax at each tau (text order). */
  argmax: number[][];
}

/** Largest number of path points run as one batch: bounds the GPU memory of a fine scan. */
export const SCAN_BATCH = 32;

/**
 * Loss and accuracy along the path at `resolution` evenly spaced tau in [0, 1]: the Bezier curve
 * through `control`, or the straight segment when `control` is null (the midpoint control).
 */
export async function scanPath(model: Model, pair: SolutionPair, control: Float64Array | null, resolution: number, batch = SCAN_BATCH): Promise<PathScan> {
  const tau = tauGrid(resolution);
  const c = control ?? midpoint(pair.a, pair.b);
  const ev = await PathEvaluator.create(model, pair.target, { batch: Math.min(batch, resolution), withGrad: false });
  try {
    const r = await ev.evaluate(tau.map((t) => bezierPoint(pair.a, pair.b, c, t)));
    return { tau, loss: r.map((x) => x.loss), accuracy: r.map((x) => x.correct / ev.N), argmax: r.map((x) => x.argmax) };
  } finally {
    ev.destroy();
  }
}

/** Mean of a scan's loss over its tau grid (the trapezoid mean, so the two ends count half). */
export function meanAlongTau(tau: readonly number[], values: readonly number[]): number {
  let s = 0;
  for (let i = 1; i < tau.length; i++) s += ((values[i] + values[i - 1]) / 2) * (tau[i] - tau[i - 1]);
  return s / (tau[tau.length - 1] - tau[0]);
}

/** The one-pass decoding at one tau of the path. */
export async function decodeAt(model: Model, pair: SolutionPair, control: Float64Array | null, tau: number): Promise<{ loss: number; correct: number; argmax: number[] }> {
  if (!(tau >= 0 && tau <= 1)) throw new Error(`tau must lie in [0, 1], got ${tau}.`);
  const ev = await PathEvaluator.create(model, pair.target, { batch: 1, withGrad: false });
  try {
    const [r] = await ev.evaluate([bezierPoint(pair.a, pair.b, control ?? midpoint(pair.a, pair.b), tau)]);
    return { loss: r.loss, correct: r.correct, argmax: r.argmax };
  } finally {
    ev.destroy();
  }
}
