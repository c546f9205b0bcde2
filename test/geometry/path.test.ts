import { describe, it, expect } from 'vitest';
import { bezierLength, bezierPoint, controlWeight, flatten, lengthRatio, midpoint, split, tauGrid, distance } from '../../src/geometry/path.ts';
import { Adam } from '../../src/geometry/adam.ts';
import { pairProblem } from '../../src/geometry/pair.ts';
import { adamwRefInit, adamwRefStep } from '../../src/reference/adamw.ts';
import { Rng } from '../../src/util/rng.ts';

// The path math of the interpolation panel against independent float64 formulas: de Casteljau's
// construction for Eq. 4, the closed-form arc length of a quadratic Bezier, finite differences
// for the control point's chain rule, and the AdamW reference for the optimiser.

const rand = (n: number, seed: number) => Float64Array.from(new Rng(seed).normalArray(n));

function deCasteljau(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, t: number): number[] {
  const lerp = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x, (xi, i) => xi + t * (y[i] - xi));
  return lerp(lerp(a, c), lerp(c, b));
}

/** ∫0^1 sqrt(α t² + β t + γ) dt in closed form (α > 0, discriminant < 0). */
function closedFormLength(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): number {
  const A = Array.from(a, (ai, i) => 2 * (c[i] - ai));
  const B = Array.from(a, (ai, i) => 2 * (ai - 2 * c[i] + b[i]));
  const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * y[i], 0);
  const al = dot(B, B);
  const be = 2 * dot(A, B);
  const ga = dot(A, A);
  const F = (t: number) => {
    const Q = Math.sqrt(al * t * t + be * t + ga);
    return ((2 * al * t + be) * Q) / (4 * al) + ((4 * al * ga - be * be) / (8 * al ** 1.5)) * Math.log(Math.abs(2 * Math.sqrt(al) * Q + 2 * al * t + be));
  };
  return F(1) - F(0);
}

describe('Bezier path (Eq. 4)', () => {
  const a = rand(12, 1);
  const b = rand(12, 2);
  const c = rand(12, 3);

  it('matches de Casteljau at every tau and passes through both ends', () => {
    for (const t of [0, 0.1, 0.37, 0.5, 0.9, 1]) {
      const got = bezierPoint(a, b, c, t);
      deCasteljau(a, b, c, t).forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
    }
    expect(Array.from(bezierPoint(a, b, c, 0))).toEqual(Array.from(a));
    expect(Array.from(bezierPoint(a, b, c, 1))).toEqual(Array.from(b));
  });

  it('is the straight segment when the control point is the midpoint', () => {
    const m = midpoint(a, b);
    for (const t of [0.2, 0.5, 0.8]) bezierPoint(a, b, m, t).forEach((x, i) => expect(x).toBeCloseTo((1 - t) * a[i] + t * b[i], 12));
    expect(lengthRatio(a, b, m)).toBeCloseTo(1, 10);
  });

  it('arc length equals the closed form and exceeds the chord', () => {
    const L = bezierLength(a, b, c);
    expect(Math.abs(L - closedFormLength(a, b, c)) / L).toBeLessThan(1e-9);
    expect(L).toBeGreaterThan(distance(a, b));
    expect(lengthRatio(a, b, c)).toBeCloseTo(L / distance(a, b), 12);
  });

  it('chain rule: 2 tau (1-tau) times the input gradient is the control point gradient (finite differences)', () => {
    // A smooth stand-in loss with a known input gradient: f(x) = sum sin(x_i) x_i^2.
    const f = (x: ArrayLike<number>) => Array.from(x).reduce((s, xi) => s + Math.sin(xi) * xi * xi, 0);
    const df = (x: ArrayLike<number>) => Float64Array.from(x, (xi) => Math.cos(xi) * xi * xi + 2 * xi * Math.sin(xi));
    const taus = [0.13, 0.5, 0.71];
    const objective = (cc: ArrayLike<number>) => taus.reduce((s, t) => s + f(bezierPoint(a, b, cc, t)), 0) / taus.length;
    const grad = new Float64Array(c.length);
    for (const t of taus) df(bezierPoint(a, b, c, t)).forEach((g, i) => (grad[i] += (controlWeight(t) * g) / taus.length));
    const h = 1e-6;
    for (let i = 0; i < c.length; i++) {
      const up = Float64Array.from(c);
      const dn = Float64Array.from(c);
      up[i] += h;
      dn[i] -= h;
      expect(grad[i]).toBeCloseTo((objective(up) - objective(dn)) / (2 * h), 6);
    }
  });

  it('flatten/split round trip, grids and refusals name the problem', () => {
    const e = Float32Array.from([1, 2, 3]);
    const m = Float32Array.from([4, 5, 6]);
    const p = flatten(e, m);
    expect(Array.from(p)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(split(p)).toEqual({ e, m });
    expect(tauGrid(5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => tauGrid(1)).toThrow(/at least 2/);
    expect(() => bezierPoint(a, rand(6, 9), c, 0.5)).toThrow(/different sizes/);
    expect(() => lengthRatio(a, a, c)).toThrow(/same point/);
    expect(() => flatten(e, Float32Array.from([1]))).toThrow(/same width/);
  });
});

describe('Adam', () => {
  it('matches the AdamW reference with weight decay 0 over several steps', () => {
    const p0 = rand(10, 4);
    const ours = new Adam(Float64Array.from(p0), { lr: 0.03, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const ref = adamwRefInit(p0);
    for (let k = 0; k < 5; k++) {
      const g = rand(10, 10 + k);
      ours.step(g);
      adamwRefStep(ref, g, { lr: 0.03, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, 10);
    }
    ours.params.forEach((x, i) => expect(x).toBeCloseTo(ref.params[i], 12));
    expect(ours.steps).toBe(5);
    expect(Math.abs(ours.params[0] - p0[0])).toBeGreaterThan(0.01);
  });
});

describe('which pairs can share a path', () => {
  const meta = { model: 'stories260k', modelFingerprint: 'f1', hidden: 64, layout: 'e,m*(N-1)' as const, firstTarget: 'e' as const, targetIds: [5, 6, 7] };
  it('accepts two seeds of one text and names the reason for every refusal', () => {
    expect(pairProblem(meta, { ...meta })).toBeNull();
    expect(pairProblem(meta, { ...meta, model: 'pythia-70m', modelFingerprint: 'f2' })).toMatch(/different models \(stories260k and pythia-70m\)/);
    expect(pairProblem(meta, { ...meta, layout: 'e*N' })).toMatch(/different layouts/);
    expect(pairProblem(meta, { ...meta, firstTarget: 'first-m' })).toMatch(/first token at different positions/);
    expect(pairProblem(meta, { ...meta, targetIds: [5, 6, 8] })).toMatch(/different texts/);
    expect(pairProblem(meta, { ...meta, targetIds: [5, 6] })).toMatch(/different texts/);
  });
});
