/** CPU float64 reference for shaders/layout.wgsl. */
export const NONE = 0xffffffff;

/** out[r] = params[index[r]]; NONE rows keep the values of `out0`. */
export function layoutForwardRef(params: ArrayLike<number>, index: ArrayLike<number>, out0: ArrayLike<number>, dim: number): Float64Array {
  const out = Float64Array.from(out0);
  for (let r = 0; r < index.length; r++) {
    if (index[r] === NONE) continue;
    for (let c = 0; c < dim; c++) out[r * dim + c] = params[index[r] * dim + c];
  }
  return out;
}

/** dparams [P, dim]: the sum of dout over the rows each params row feeds. */
export function layoutBackwardRef(dout: ArrayLike<number>, index: ArrayLike<number>, P: number, dim: number): Float64Array {
  const dparams = new Float64Array(P * dim);
  for (let r = 0; r < index.length; r++) {
    if (index[r] === NONE) continue;
    for (let c = 0; c < dim; c++) dparams[index[r] * dim + c] += dout[r * dim + c];
  }
  return dparams;
}
