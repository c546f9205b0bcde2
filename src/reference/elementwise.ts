/** CPU float64 references for shaders/elementwise.wgsl (add_in_place is add with out = dst). */

export function addRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** Gradients of out = a + b for upstream dout: both inputs receive dout unchanged. */
export function addBackwardRef(dout: ArrayLike<number>): { da: Float64Array; db: Float64Array } {
  return { da: Float64Array.from(dout), db: Float64Array.from(dout) };
}

export function scaleRef(src: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = src[i] * s;
  return out;
}

/** Gradient of dst = s·src for upstream ddst. */
export function scaleBackwardRef(ddst: ArrayLike<number>, s: number): Float64Array {
  return scaleRef(ddst, s);
}
