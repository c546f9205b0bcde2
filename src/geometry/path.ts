/**
 * The paths between two solutions, as flat parameter vectors p = [e | m] (the e and m of a
 * solution concatenated, METHOD-NOTES: "p = the pair (e, m) concatenated"). All in float64: a
 * path point is built on the CPU and handed to the GPU as the proto-token inputs.
 *
 * The quadratic Bezier curve of Eq. 4, phi(tau) = (1-tau)^2 a + 2 tau (1-tau) c + tau^2 b, is the
 * straight segment exactly when c is the midpoint (a + b) / 2, so the linear scan and the curve
 * scan are one code path.
 */

/** A point of a path: [e | m] with e and m of width d each. */
export type FlatPoint = Float64Array;

export function flatten(e: ArrayLike<number>, m: ArrayLike<number>): FlatPoint {
  if (e.length !== m.length) throw new Error(`e has width ${e.length} but m has width ${m.length}; a solution's two vectors must have the same width.`);
  const p = new Float64Array(2 * e.length);
  p.set(Array.from(e), 0);
  p.set(Array.from(m), e.length);
  return p;
}

/** e and m of a flat point, as the f32 vectors the engine takes. */
export function split(p: ArrayLike<number>): { e: Float32Array; m: Float32Array } {
  const d = p.length / 2;
  if (!Number.isInteger(d)) throw new Error(`A flat point has an even length (e then m); got ${p.length}.`);
  return { e: Float32Array.from(Array.prototype.slice.call(p, 0, d)), m: Float32Array.from(Array.prototype.slice.call(p, d)) };
}

export function midpoint(a: ArrayLike<number>, b: ArrayLike<number>): FlatPoint {
  sameLength(a, b);
  const c = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) c[i] = (a[i] + b[i]) / 2;
  return c;
}

/** Eq. 4: (1-tau)^2 a + 2 tau (1-tau) c + tau^2 b. */
export function bezierPoint(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, tau: number): FlatPoint {
  sameLength(a, b);
  sameLength(a, c);
  const wa = (1 - tau) * (1 - tau);
  const wc = 2 * tau * (1 - tau);
  const wb = tau * tau;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wc * c[i] + wb * b[i];
  return out;
}

/** d phi / d c at tau (a scalar times the identity): the chain-rule factor of the control point's gradient. */
export function controlWeight(tau: number): number {
  return 2 * tau * (1 - tau);
}

/** phi'(tau) = 2 (1-tau) (c - a) + 2 tau (b - c). */
export function bezierVelocity(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, tau: number): FlatPoint {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = 2 * (1 - tau) * (c[i] - a[i]) + 2 * tau * (b[i] - c[i]);
  return out;
}

export function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Length of the curve by composite Simpson's rule on |phi'(tau)| over `intervals` (even) pieces.
 * |phi'| is smooth (the square root of a quadratic in tau that stays positive unless the curve
 * doubles back through a cusp), so a few hundred intervals give ~1e-10 relative accuracy.
 */
export function bezierLength(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, intervals = 512): number {
  if (!Number.isInteger(intervals) || intervals < 2 || intervals % 2) throw new Error(`Simpson's rule needs an even number of intervals, got ${intervals}.`);
  const h = 1 / intervals;
  let s = 0;
  for (let k = 0; k <= intervals; k++) {
    const w = k === 0 || k === intervals ? 1 : k % 2 ? 4 : 2;
    s += w * norm(bezierVelocity(a, b, c, k * h));
  }
  return (s * h) / 3;
}

/** Curve length over the straight segment's length (1 for the segment itself; the paper reports at most 1.2). */
export function lengthRatio(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): number {
  const seg = distance(a, b);
  if (seg === 0) throw new Error('The two solutions are the same point, so the length ratio is undefined; pick two different solutions.');
  return bezierLength(a, b, c) / seg;
}

/** tau = 0, 1/(R-1), ..., 1: a scan grid of R points. */
export function tauGrid(resolution: number): number[] {
  if (!Number.isInteger(resolution) || resolution < 2) throw new Error(`The scan resolution must be a whole number of points, at least 2 (both ends); got ${resolution}.`);
  return Array.from({ length: resolution }, (_, i) => i / (resolution - 1));
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`The two points have different sizes (${a.length} vs ${b.length}): solutions of different models cannot be joined by a path.`);
}
