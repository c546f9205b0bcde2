/** CPU float64 reference for shaders/embedding.wgsl, on the whole (unchunked) table [V, dim]. */
export const NONE = 0xffffffff;

/** out[r] = scale · table[ids[r]]; rows with a NONE id keep the values of `out0`. */
export function embeddingForwardRef(ids: ArrayLike<number>, table: ArrayLike<number>, out0: ArrayLike<number>, dim: number, scale = 1): Float64Array {
  const out = Float64Array.from(out0);
  for (let r = 0; r < ids.length; r++) {
    if (ids[r] === NONE) continue;
    for (let c = 0; c < dim; c++) out[r * dim + c] = scale * table[ids[r] * dim + c];
  }
  return out;
}

/** dtable [V, dim]: dtable[ids[r]] += scale · dout[r], starting from zero. */
export function embeddingBackwardRef(ids: ArrayLike<number>, dout: ArrayLike<number>, V: number, dim: number, scale = 1): Float64Array {
  const dtable = new Float64Array(V * dim);
  for (let r = 0; r < ids.length; r++) {
    if (ids[r] === NONE) continue;
    for (let c = 0; c < dim; c++) dtable[ids[r] * dim + c] += scale * dout[r * dim + c];
  }
  return dtable;
}
