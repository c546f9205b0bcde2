/**
 * Two-component PCA of a few high-dimensional points (solutions: n ≈ 2..100 points of 2·d values,
 * d up to thousands), for the interpolation panel's 2-D view. Works on the n×n Gram matrix of
 * the centred points (cheap when n ≪ D), diagonalised by cyclic Jacobi rotations, in float64.
 */
export interface Pca2 {
  mean: Float64Array;
  /** Unit principal axes in the original space; an axis is all zeros when the points span fewer dimensions. */
  axes: [Float64Array, Float64Array];
  /** Variance along each axis (population variance: sum of squares / n). */
  variance: [number, number];
  /** Share of the total variance each axis explains. */
  explained: [number, number];
}

export function fitPca2(points: readonly ArrayLike<number>[]): Pca2 {
  const n = points.length;
  if (n < 2) throw new Error(`A 2-D view needs at least two solutions, got ${n}.`);
  const D = points[0].length;
  for (const p of points) if (p.length !== D) throw new Error(`Points of sizes ${D} and ${p.length} cannot share one view; pick solutions of the same model.`);
  const mean = new Float64Array(D);
  for (const p of points) for (let j = 0; j < D; j++) mean[j] += p[j] / n;
  const X = points.map((p) => Float64Array.from(p, (x, j) => x - mean[j]));
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = i; k < n; k++) G[i * n + k] = G[k * n + i] = dot(X[i], X[k]);
  const { values, vectors } = jacobiEigen(G, n);
  const order = [...values.keys()].sort((x, y) => values[y] - values[x]);
  let total = 0;
  for (const v of values) total += Math.max(0, v);
  const axes: Float64Array[] = [];
  const variance: number[] = [];
  for (const k of order.slice(0, 2)) {
    const lambda = values[k];
    const axis = new Float64Array(D);
    // Gram eigenvalues below this are rounding noise of a lower-rank point set: no axis there.
    if (lambda > 1e-12 * Math.max(total, 1e-300)) {
      for (let i = 0; i < n; i++) {
        const w = vectors[i * n + k];
        for (let j = 0; j < D; j++) axis[j] += w * X[i][j];
      }
      const s = Math.sqrt(dot(axis, axis));
      for (let j = 0; j < D; j++) axis[j] /= s;
      // A fixed sign (largest component positive) so the picture does not flip between fits.
      let big = 0;
      for (let j = 1; j < D; j++) if (Math.abs(axis[j]) > Math.abs(axis[big])) big = j;
      if (axis[big] < 0) for (let j = 0; j < D; j++) axis[j] = -axis[j];
    }
    axes.push(axis);
    variance.push(lambda > 0 && axis.some((x) => x !== 0) ? lambda / n : 0);
  }
  while (axes.length < 2) {
    axes.push(new Float64Array(D));
    variance.push(0);
  }
  const sum = total / n;
  return {
    mean,
    axes: [axes[0], axes[1]],
    variance: [variance[0], variance[1]],
    explained: [sum > 0 ? variance[0] / sum : 0, sum > 0 ? variance[1] / sum : 0],
  };
}

/** Coordinates of a point in the PCA plane. */
export function project(pca: Pca2, p: ArrayLike<number>): [number, number] {
  let x = 0;
  let y = 0;
  for (let j = 0; j < p.length; j++) {
    const c = p[j] - pca.mean[j];
    x += c * pca.axes[0][j];
    y += c * pca.axes[1][j];
  }
  return [x, y];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Eigenvalues and column eigenvectors ([n, n], column k) of a symmetric matrix by cyclic Jacobi sweeps. */
export function jacobiEigen(A0: ArrayLike<number>, n: number): { values: number[]; vectors: Float64Array } {
  const A = Float64Array.from(A0);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Array.from({ length: n }, (_, i) => A[i * n + i]), vectors: V };
}
