/**
 * What one optimisation step costs, for sizing a sweep before it runs (`sweep --plan`): either
 * step times at some lengths (measured on this device, or given by whoever measured their GPU)
 * carried to the other lengths, or floating-point operations at an assumed sustained rate.
 * Every estimate says how it was made, so a plan never passes a guess off as a measurement.
 */
import type { ModelSpec } from '../model/config.ts';

/** ms per step of one full batch (the sweep's seeds x packed texts) at N tokens. */
export interface StepTimePoint {
  N: number;
  ms: number;
}

export type StepTimeHow = 'measured' | 'given' | 'interpolated' | 'extrapolated' | 'flops';

export interface StepTime {
  ms: number;
  how: StepTimeHow;
}

/**
 * The step time at N from known points: a point's own value; between two points, linear in N;
 * beyond them, proportional to N from the nearest (a step's matmuls grow with N; attention's N²
 * share makes this an underestimate at the long end, which the label says). One point with N = 0
 * (a bare `--ms-per-step X`) holds for every length.
 */
export function stepTimeAt(points: readonly StepTimePoint[], N: number, known: 'measured' | 'given'): StepTime {
  if (points.length === 0) throw new Error('No step times to plan from.');
  const ps = [...points].sort((a, b) => a.N - b.N);
  if (ps.length === 1 && ps[0].N === 0) return { ms: ps[0].ms, how: known };
  const exact = ps.find((p) => p.N === N);
  if (exact) return { ms: exact.ms, how: known };
  const hi = ps.findIndex((p) => p.N > N);
  if (hi > 0) {
    const a = ps[hi - 1];
    const b = ps[hi];
    return { ms: a.ms + ((b.ms - a.ms) * (N - a.N)) / (b.N - a.N), how: 'interpolated' };
  }
  const near = hi === 0 ? ps[0] : ps[ps.length - 1];
  return { ms: (near.ms * N) / near.N, how: 'extrapolated' };
}

/** "32:11,64:15" (N:ms pairs) or "12.5" (every length): the --ms-per-step flag. */
export function parseStepTimes(s: string): StepTimePoint[] | string {
  const num = (x: string) => (/^\d+(\.\d+)?$/u.test(x) && Number(x) > 0 ? Number(x) : NaN);
  if (!s.includes(':')) {
    const ms = num(s.trim());
    return Number.isFinite(ms) ? [{ N: 0, ms }] : `must be milliseconds per step (e.g. 12.5) or length:ms pairs (e.g. 32:11,256:87), got "${s}"`;
  }
  const points: StepTimePoint[] = [];
  for (const pair of s.split(',')) {
    const [n, ms] = pair.split(':').map((x) => x.trim());
    const N = Number(n);
    if (!/^\d+$/u.test(n ?? '') || N < 1 || !Number.isFinite(num(ms ?? ''))) return `must be length:ms pairs separated by commas (e.g. 32:11,256:87); "${pair}" is not one`;
    if (points.some((p) => p.N === N)) return `gives length ${N} twice`;
    points.push({ N, ms: num(ms) });
  }
  return points;
}

/**
 * Floating-point operations of one proto-token step over `sequences` sequences of N positions:
 * the forward (2 per multiply-add of every linear layer and the LM head, plus causal attention's
 * two N x N products) and the backward to the inputs only (the weights are frozen: no weight
 * gradients, so each linear layer's backward is one more product of its forward's size, and
 * attention's backward three). AdamW on two vectors is negligible.
 */
export function stepFlops(spec: ModelSpec, N: number, sequences: number): number {
  const d = spec.hidden;
  const q = spec.heads * spec.headDim;
  const kv = spec.kvHeads * spec.headDim;
  const mlp = (spec.gatedMlp ? 3 : 2) * d * spec.intermediate;
  const perToken = spec.layers * (d * q + 2 * d * kv + q * d + mlp) + d * spec.vocabSize;
  const linear = 2 * perToken * N;
  // QKᵀ and PV over the causal half, per layer: 2 products x 2 flops x N²/2 x heads x headDim.
  const attention = spec.layers * 2 * N * N * q;
  return sequences * (2 * linear + 4 * attention);
}
