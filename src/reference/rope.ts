/**
 * CPU float64 reference for shaders/rope.wgsl. Works on a copy of the wide buffer x [rows, ld]
 * and takes the same f32 cos/sin table the GPU reads, so the two differ only by f32 arithmetic.
 */
export interface RopeRefArgs {
  rows: number;
  seqLen: number;
  posOffset: number;
  ld: number;
  colOffset: number;
  nHeads: number;
  headDim: number;
  rotDim: number;
}

function rotate(x: ArrayLike<number>, table: ArrayLike<number>, a: RopeRefArgs, sinSign: number): Float64Array {
  const out = Float64Array.from(x);
  const half = a.rotDim / 2;
  for (let r = 0; r < a.rows; r++) {
    const t = (a.posOffset + (r % a.seqLen)) * a.rotDim;
    for (let h = 0; h < a.nHeads; h++) {
      const base = r * a.ld + a.colOffset + h * a.headDim;
      for (let j = 0; j < half; j++) {
        const c = table[t + j];
        const s = sinSign * table[t + half + j];
        const u = out[base + j];
        const v = out[base + j + half];
        out[base + j] = u * c - v * s;
        out[base + j + half] = v * c + u * s;
      }
    }
  }
  return out;
}

export function ropeForwardRef(x: ArrayLike<number>, table: ArrayLike<number>, a: RopeRefArgs): Float64Array {
  return rotate(x, table, a, 1);
}

/** Gradient w.r.t. x given the gradient g of the rotated buffer (the transpose of the rotation). */
export function ropeBackwardRef(g: ArrayLike<number>, table: ArrayLike<number>, a: RopeRefArgs): Float64Array {
  return rotate(g, table, a, -1);
}
