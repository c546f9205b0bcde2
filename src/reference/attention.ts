/**
 * CPU float64 reference for shaders/attention.wgsl, computed naively with the full [N, N] score
 * and probability matrices per (sequence, query head), so it shares no algorithm with the
 * streaming GPU kernels. qkv uses the GPU layout ([R, ldq] with column offsets).
 */
export interface AttentionShape {
  B: number;
  N: number;
  H: number;
  Hkv: number;
  hd: number;
  ldq: number;
  qOff: number;
  kOff: number;
  vOff: number;
  scale: number;
  /** Sliding window in tokens: query i sees keys i - window < j <= i. 0 or absent: no window. */
  window?: number;
}

export interface AttentionGrads {
  /** [R, H·hd], query head h at columns h·hd. */
  dq: Float64Array;
  /** [R, Hkv·hd], kv head g at columns g·hd (summed over g's query heads). */
  dk: Float64Array;
  dv: Float64Array;
}

/**
 * The first key query i sees: i - W + 1 with a window W (Hugging Face's sliding_window mask,
 * kv_idx > q_idx - W), clamped at 0; 0 without one. The last is i itself (causal).
 */
export function firstKey(i: number, window = 0): number {
  return window > 0 ? Math.max(0, i - window + 1) : 0;
}

/**
 * Probabilities P [N, N] (zero above the diagonal and left of the window) and lse [N] for
 * sequence b, query head h.
 */
function probs(qkv: ArrayLike<number>, s: AttentionShape, b: number, h: number): { P: Float64Array; lse: Float64Array } {
  const { N, hd, ldq, scale } = s;
  const g = Math.floor(h / (s.H / s.Hkv));
  const P = new Float64Array(N * N);
  const lse = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const qb = (b * N + i) * ldq + s.qOff + h * hd;
    const j0 = firstKey(i, s.window);
    let m = -Infinity;
    for (let j = j0; j <= i; j++) {
      const kb = (b * N + j) * ldq + s.kOff + g * hd;
      let dot = 0;
      for (let d = 0; d < hd; d++) dot += qkv[qb + d] * qkv[kb + d];
      P[i * N + j] = scale * dot;
      m = Math.max(m, scale * dot);
    }
    let sum = 0;
    for (let j = j0; j <= i; j++) sum += Math.exp(P[i * N + j] - m);
    lse[i] = m + Math.log(sum);
    for (let j = j0; j <= i; j++) P[i * N + j] = Math.exp(P[i * N + j] - lse[i]);
  }
  return { P, lse };
}

/** out [R, H·hd] and lse [R, H]. */
export function attentionForwardRef(qkv: ArrayLike<number>, s: AttentionShape): { out: Float64Array; lse: Float64Array } {
  const { B, N, H, hd, ldq } = s;
  const out = new Float64Array(B * N * H * hd);
  const lse = new Float64Array(B * N * H);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const vcol = s.vOff + Math.floor(h / (H / s.Hkv)) * hd;
      const { P, lse: l } = probs(qkv, s, b, h);
      for (let i = 0; i < N; i++) {
        const r = b * N + i;
        lse[r * H + h] = l[i];
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          for (let j = firstKey(i, s.window); j <= i; j++) acc += P[i * N + j] * qkv[(b * N + j) * ldq + vcol + d];
          out[r * H * hd + h * hd + d] = acc;
        }
      }
    }
  }
  return { out, lse };
}

/** Gradients of sum(dout ∘ out) w.r.t. q, k and v; dout is [R, H·hd]. */
export function attentionBackwardRef(qkv: ArrayLike<number>, dout: ArrayLike<number>, s: AttentionShape): AttentionGrads {
  const { B, N, H, Hkv, hd, ldq, scale } = s;
  const R = B * N;
  const dq = new Float64Array(R * H * hd);
  const dk = new Float64Array(R * Hkv * hd);
  const dv = new Float64Array(R * Hkv * hd);
  const dS = new Float64Array(N * N);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv));
      const { P } = probs(qkv, s, b, h);
      const q = (i: number, d: number): number => qkv[(b * N + i) * ldq + s.qOff + h * hd + d];
      const k = (j: number, d: number): number => qkv[(b * N + j) * ldq + s.kOff + g * hd + d];
      const v = (j: number, d: number): number => qkv[(b * N + j) * ldq + s.vOff + g * hd + d];
      const go = (i: number, d: number): number => dout[(b * N + i) * H * hd + h * hd + d];
      // dS = P ∘ (dP - rowsum(P ∘ dP)): the softmax Jacobian applied row by row.
      for (let i = 0; i < N; i++) {
        let rowDot = 0;
        for (let j = firstKey(i, s.window); j <= i; j++) {
          let dP = 0;
          for (let d = 0; d < hd; d++) dP += go(i, d) * v(j, d);
          dS[i * N + j] = dP;
          rowDot += P[i * N + j] * dP;
        }
        for (let j = firstKey(i, s.window); j <= i; j++) dS[i * N + j] = P[i * N + j] * (dS[i * N + j] - rowDot);
      }
      for (let i = 0; i < N; i++) {
        for (let j = firstKey(i, s.window); j <= i; j++) {
          const ds = dS[i * N + j];
          const pij = P[i * N + j];
          const dqb = (b * N + i) * H * hd + h * hd;
          const dkb = (b * N + j) * Hkv * hd + g * hd;
          for (let d = 0; d < hd; d++) {
            dq[dqb + d] += scale * ds * k(j, d);
            dk[dkb + d] += scale * ds * q(i, d);
            dv[dkb + d] += pij * go(i, d);
          }
        }
      }
    }
  }
  return { dq, dk, dv };
}
