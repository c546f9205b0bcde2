/**
 * CPU float64 reference for the encoder network (src/encoder/net.ts): the same layout of θ, the
 * same exact GELU, forward and the gradient of Σ dE ⊙ E with respect to θ.
 */
import { paramLayout, type EncoderShape } from '../encoder/net.ts';
import { geluBackwardRef, geluRef } from './activations.ts';

/** C [M, N] = A [M, K] · W [K, N] + b, W and b read from θ at their offsets. */
function affine(A: ArrayLike<number>, theta: ArrayLike<number>, wOff: number, bOff: number, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = theta[bOff + j];
      for (let k = 0; k < K; k++) s += A[i * K + k] * theta[wOff + k * N + j];
      C[i * N + j] = s;
    }
  }
  return C;
}

export interface EncoderForwardRef {
  pre: Float64Array | null;
  act: Float64Array | null;
  out: Float64Array;
}

/** E [B, d] for features X [B, F]. */
export function encoderForwardRef(s: EncoderShape, theta: ArrayLike<number>, X: ArrayLike<number>, B: number): EncoderForwardRef {
  const L = paramLayout(s);
  if (!L.w2) return { pre: null, act: null, out: affine(X, theta, L.w1.offset, L.b1.offset, B, s.inWidth, s.outWidth) };
  const pre = affine(X, theta, L.w1.offset, L.b1.offset, B, s.inWidth, s.hiddenWidth);
  const act = geluRef(pre);
  return { pre, act, out: affine(act, theta, L.w2.offset, L.b2!.offset, B, s.hiddenWidth, s.outWidth) };
}

/** d(Σ dE ⊙ E)/dθ, laid out like θ (padding entries 0). */
export function encoderBackwardRef(s: EncoderShape, theta: ArrayLike<number>, X: ArrayLike<number>, dE: ArrayLike<number>, B: number): Float64Array {
  const L = paramLayout(s);
  const g = new Float64Array(L.total);
  const addOuter = (A: ArrayLike<number>, D: ArrayLike<number>, K: number, N: number, wOff: number, bOff: number) => {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < N; j++) {
        const dj = D[b * N + j];
        g[bOff + j] += dj;
        for (let k = 0; k < K; k++) g[wOff + k * N + j] += A[b * K + k] * dj;
      }
    }
  };
  const d = s.outWidth;
  if (!L.w2) {
    addOuter(X, dE, s.inWidth, d, L.w1.offset, L.b1.offset);
    return g;
  }
  const H = s.hiddenWidth;
  const f = encoderForwardRef(s, theta, X, B);
  addOuter(f.act!, dE, H, d, L.w2.offset, L.b2!.offset);
  const dAct = new Float64Array(B * H);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let j = 0; j < d; j++) dAct[b * H + h] += dE[b * d + j] * theta[L.w2.offset + h * d + j];
  addOuter(X, geluBackwardRef(f.pre!, dAct), s.inWidth, H, L.w1.offset, L.b1.offset);
  return g;
}
