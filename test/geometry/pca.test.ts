import { describe, it, expect } from 'vitest';
import { fitPca2, jacobiEigen, project } from '../../src/geometry/pca.ts';
import { Rng } from '../../src/util/rng.ts';

// The 2-D view's PCA against direct float64 covariance computations.

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

describe('PCA of solutions', () => {
  it('Jacobi diagonalises a symmetric matrix: A v = lambda v for every pair', () => {
    const A = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];
    const { values, vectors } = jacobiEigen(A, 3);
    for (let k = 0; k < 3; k++) {
      const v = [0, 1, 2].map((i) => vectors[i * 3 + k]);
      const Av = [0, 1, 2].map((i) => dot(A.slice(i * 3, i * 3 + 3), v));
      Av.forEach((x, i) => expect(x).toBeCloseTo(values[k] * v[i], 10));
    }
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(12, 10);
  });

  it('recovers the plane of points lying in 2-D inside 50-D, with the covariance variances and maximal first variance', () => {
    const rng = new Rng(5);
    const u = Float64Array.from(rng.normalArray(50));
    const w = Float64Array.from(rng.normalArray(50));
    const offset = Float64Array.from(rng.normalArray(50));
    const pts = Array.from({ length: 12 }, () => {
      const s = 3 * rng.normal();
      const t = rng.normal();
      return offset.map((o, j) => o + s * u[j] + t * w[j]);
    });
    const pca = fitPca2(pts);
    expect(dot(pca.axes[0], pca.axes[0])).toBeCloseTo(1, 10);
    expect(dot(pca.axes[1], pca.axes[1])).toBeCloseTo(1, 10);
    expect(dot(pca.axes[0], pca.axes[1])).toBeCloseTo(0, 10);
    expect(pca.explained[0] + pca.explained[1]).toBeCloseTo(1, 10);
    // The variance of the projections is the reported variance (covariance computed directly).
    for (const k of [0, 1] as const) {
      const proj = pts.map((p) => project(pca, p)[k]);
      const mean = proj.reduce((s, x) => s + x, 0) / proj.length;
      expect(mean).toBeCloseTo(0, 10);
      expect(proj.reduce((s, x) => s + x * x, 0) / proj.length).toBeCloseTo(pca.variance[k], 8);
    }
    // Two-dimensional data: the plane reconstructs every point exactly.
    for (const p of pts) {
      const [x, y] = project(pca, p);
      p.forEach((v, j) => expect(pca.mean[j] + x * pca.axes[0][j] + y * pca.axes[1][j]).toBeCloseTo(v, 8));
    }
    // No unit direction has more variance than the first axis (checked on random directions).
    for (let k = 0; k < 20; k++) {
      const r = Float64Array.from(rng.normalArray(50));
      const nr = Math.sqrt(dot(r, r));
      const varR = pts.reduce((s, p) => s + (dot(p.map((x, j) => x - pca.mean[j]), r) / nr) ** 2, 0) / pts.length;
      expect(varR).toBeLessThanOrEqual(pca.variance[0] + 1e-9);
    }
  });

  it('two points: one axis through both, the second empty; too few points are refused', () => {
    const pca = fitPca2([[0, 0, 0], [2, 0, 0]]);
    expect(Array.from(pca.axes[0], (x) => x + 0)).toEqual([1, 0, 0]);
    expect(Array.from(pca.axes[1])).toEqual([0, 0, 0]);
    expect(project(pca, [2, 0, 0]).map((x) => x + 0)).toEqual([1, 0]);
    expect(() => fitPca2([[1, 2]])).toThrow(/at least two/);
    expect(() => fitPca2([[1, 2], [1]])).toThrow(/same model/);
  });
});
