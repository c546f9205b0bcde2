import type { AdamWHyper } from '../ops/adamw.ts';

/** Optimiser state for the float64 reference of shaders/adamw.wgsl. */
export interface AdamWRefState {
  params: Float64Array;
  m: Float64Array;
  v: Float64Array;
  /** Steps taken so far. */
  t: number;
}

export function adamwRefInit(params: ArrayLike<number>): AdamWRefState {
  return { params: Float64Array.from(params), m: new Float64Array(params.length), v: new Float64Array(params.length), t: 0 };
}

/** One PyTorch AdamW step in place (the step counter first, like the GPU tick). */
export function adamwRefStep(s: AdamWRefState, grads: ArrayLike<number>, h: AdamWHyper, dim: number, rowMask?: ArrayLike<number>): void {
  s.t += 1;
  const bc1 = 1 - h.beta1 ** s.t;
  const bc2 = 1 - h.beta2 ** s.t;
  for (let i = 0; i < s.params.length; i++) {
    if (rowMask && rowMask[Math.floor(i / dim)] === 0) continue;
    const g = grads[i];
    s.params[i] *= 1 - h.lr * h.weightDecay;
    s.m[i] = h.beta1 * s.m[i] + (1 - h.beta1) * g;
    s.v[i] = h.beta2 * s.v[i] + (1 - h.beta2) * g * g;
    s.params[i] -= (h.lr * (s.m[i] / bc1)) / (Math.sqrt(s.v[i] / bc2) + h.eps);
  }
}
