/** CPU float64 references for shaders/norm.wgsl. Arrays are row-major [rows, dim]. */

export function rmsnormRef(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, dim: number, eps: number): { y: Float64Array; rstd: Float64Array } {
  const y = new Float64Array(rows * dim);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += x[o + j] * x[o + j];
    const s = 1 / Math.sqrt(ss / dim + eps);
    rstd[r] = s;
    for (let j = 0; j < dim; j++) y[o + j] = x[o + j] * s * w[j];
  }
  return { y, rstd };
}

/** Input gradient of RMSNorm for upstream dy (statistics recomputed in float64). */
export function rmsnormBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, rows: number, dim: number, eps: number): Float64Array {
  const { rstd } = rmsnormRef(x, w, rows, dim, eps);
  const dx = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const s = rstd[r];
    let gx = 0;
    for (let j = 0; j < dim; j++) gx += dy[o + j] * w[j] * x[o + j];
    const c = (s * s * gx) / dim;
    for (let j = 0; j < dim; j++) dx[o + j] = s * (dy[o + j] * w[j] - x[o + j] * c);
  }
  return dx;
}

export function layernormRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: number,
  dim: number,
  eps: number,
): { y: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const y = new Float64Array(rows * dim);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[o + j];
    const m = s / dim;
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += (x[o + j] - m) ** 2;
    const rs = 1 / Math.sqrt(ss / dim + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let j = 0; j < dim; j++) y[o + j] = (x[o + j] - m) * rs * w[j] + b[j];
  }
  return { y, mean, rstd };
}

/** Input gradient of LayerNorm for upstream dy (the bias does not enter it). */
export function layernormBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, rows: number, dim: number, eps: number): Float64Array {
  const { mean, rstd } = layernormRef(x, w, new Float64Array(dim), rows, dim, eps);
  const dx = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const m = mean[r];
    const rs = rstd[r];
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < dim; j++) {
      const g = dy[o + j] * w[j];
      sg += g;
      sgx += g * (x[o + j] - m) * rs;
    }
    sg /= dim;
    sgx /= dim;
    for (let j = 0; j < dim; j++) dx[o + j] = rs * (dy[o + j] * w[j] - sg - (x[o + j] - m) * rs * sgx);
  }
  return dx;
}

/**
 * A strided view of rows (src/ops/norm.ts NormRowsView): row i starts at
 * floor(i / heads)·ld + colOffset + (i mod heads)·dim.
 */
export interface RowsViewRef {
  ld: number;
  colOffset: number;
  heads: number;
}

function viewRowStart(i: number, dim: number, v: RowsViewRef): number {
  return Math.floor(i / v.heads) * v.ld + v.colOffset + (i % v.heads) * dim;
}

/** The view's rows gathered into a contiguous [rows, dim]. */
export function gatherRowsRef(a: ArrayLike<number>, rows: number, dim: number, v: RowsViewRef): Float64Array {
  const out = new Float64Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const o = viewRowStart(i, dim, v);
    for (let j = 0; j < dim; j++) out[i * dim + j] = a[o + j];
  }
  return out;
}

/** Writes contiguous [rows, dim] into the view's rows of dst, in place. */
export function scatterRowsRef(dst: Float64Array, src: ArrayLike<number>, rows: number, dim: number, v: RowsViewRef): Float64Array {
  for (let i = 0; i < rows; i++) {
    const o = viewRowStart(i, dim, v);
    for (let j = 0; j < dim; j++) dst[o + j] = src[i * dim + j];
  }
  return dst;
}

/**
 * Per-head RMSNorm over a strided view (Qwen3's q_norm / k_norm on the fused q | k | v rows): y is x
 * with the view's rows replaced by their RMSNorm (what the engine's copy-then-normalise computes).
 */
export function rmsnormViewRef(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, dim: number, eps: number, v: RowsViewRef): { y: Float64Array; rstd: Float64Array } {
  const r = rmsnormRef(gatherRowsRef(x, rows, dim, v), w, rows, dim, eps);
  return { y: scatterRowsRef(Float64Array.from(x), r.y, rows, dim, v), rstd: r.rstd };
}

/** Input gradient of rmsnormViewRef for upstream dy: dy outside the view, the RMSNorm backward inside it. */
export function rmsnormViewBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, rows: number, dim: number, eps: number, v: RowsViewRef): Float64Array {
  const dx = rmsnormBackwardRef(gatherRowsRef(x, rows, dim, v), w, gatherRowsRef(dy, rows, dim, v), rows, dim, eps);
  return scatterRowsRef(Float64Array.from(dy), dx, rows, dim, v);
}
