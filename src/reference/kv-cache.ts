/**
 * CPU float64 reference for shaders/kv_cache.wgsl. Naive: the full row of scores and
 * probabilities per (row, query head), no online softmax. qkv uses the GPU layout ([B·n, ldq]
 * with column offsets), caches are [B, Hkv, maxLen, hd], `pos` is state[0].
 */
import type { KvShape } from '../ops/kv-cache.ts';
import { firstKey } from './attention.ts';

const cacheAt = (s: KvShape, b: number, g: number, j: number): number => ((b * s.Hkv + g) * s.maxLen + j) * s.hd;

/** The caches after appending the k and v blocks of qkv at positions pos .. pos + n - 1. */
export function kvAppendRef(qkv: ArrayLike<number>, kc0: ArrayLike<number>, vc0: ArrayLike<number>, s: KvShape, pos: number): { kc: Float64Array; vc: Float64Array } {
  const kc = Float64Array.from(kc0);
  const vc = Float64Array.from(vc0);
  for (let b = 0; b < s.B; b++) {
    for (let i = 0; i < s.n; i++) {
      const r = b * s.n + i;
      for (let g = 0; g < s.Hkv; g++) {
        for (let d = 0; d < s.hd; d++) {
          kc[cacheAt(s, b, g, pos + i) + d] = qkv[r * s.ldq + s.kOff + g * s.hd + d];
          vc[cacheAt(s, b, g, pos + i) + d] = qkv[r * s.ldq + s.vOff + g * s.hd + d];
        }
      }
    }
  }
  return { kc, vc };
}

/**
 * Probabilities over cache positions 0..pos+i of new row (b, i), query head h (zero before the
 * window's first position, firstKey(pos + i, window)), and their lse.
 */
function probs(qkv: ArrayLike<number>, kc: ArrayLike<number>, s: KvShape, pos: number, b: number, i: number, h: number): { P: Float64Array; lse: number } {
  const r = b * s.n + i;
  const g = Math.floor(h / (s.H / s.Hkv));
  const last = pos + i;
  const first = firstKey(last, s.window);
  const S = new Float64Array(last + 1);
  let m = -Infinity;
  for (let j = first; j <= last; j++) {
    let dot = 0;
    for (let d = 0; d < s.hd; d++) dot += qkv[r * s.ldq + s.qOff + h * s.hd + d] * kc[cacheAt(s, b, g, j) + d];
    S[j] = s.scale * dot;
    m = Math.max(m, S[j]);
  }
  let sum = 0;
  for (let j = first; j <= last; j++) sum += Math.exp(S[j] - m);
  const lse = m + Math.log(sum);
  for (let j = first; j <= last; j++) S[j] = Math.exp(S[j] - lse);
  return { P: S, lse };
}

/** out [B·n, H·hd] and lse [B·n, H]. */
export function attentionDecodeRef(qkv: ArrayLike<number>, kc: ArrayLike<number>, vc: ArrayLike<number>, s: KvShape, pos: number): { out: Float64Array; lse: Float64Array } {
  const R = s.B * s.n;
  const out = new Float64Array(R * s.H * s.hd);
  const lse = new Float64Array(R * s.H);
  for (let b = 0; b < s.B; b++) {
    for (let i = 0; i < s.n; i++) {
      const r = b * s.n + i;
      for (let h = 0; h < s.H; h++) {
        const g = Math.floor(h / (s.H / s.Hkv));
        const { P, lse: l } = probs(qkv, kc, s, pos, b, i, h);
        lse[r * s.H + h] = l;
        for (let j = 0; j < P.length; j++) {
          for (let d = 0; d < s.hd; d++) out[r * s.H * s.hd + h * s.hd + d] += P[j] * vc[cacheAt(s, b, g, j) + d];
        }
      }
    }
  }
  return { out, lse };
}

/**
 * Gradients of sum(dout ∘ out) of attentionDecodeRef: dq [B·n, H·hd] (query head h at h·hd),
 * dkc and dvc in the cache layout (zero at positions pos + n and later).
 */
export function attentionDecodeBackwardRef(
  qkv: ArrayLike<number>,
  kc: ArrayLike<number>,
  vc: ArrayLike<number>,
  dout: ArrayLike<number>,
  s: KvShape,
  pos: number,
): { dq: Float64Array; dkc: Float64Array; dvc: Float64Array } {
  const R = s.B * s.n;
  const dq = new Float64Array(R * s.H * s.hd);
  const dkc = new Float64Array(s.B * s.Hkv * s.maxLen * s.hd);
  const dvc = new Float64Array(dkc.length);
  for (let b = 0; b < s.B; b++) {
    for (let i = 0; i < s.n; i++) {
      const r = b * s.n + i;
      for (let h = 0; h < s.H; h++) {
        const g = Math.floor(h / (s.H / s.Hkv));
        const { P } = probs(qkv, kc, s, pos, b, i, h);
        const go = (d: number) => dout[r * s.H * s.hd + h * s.hd + d];
        // dS = P ∘ (dP - Σ P dP): the softmax Jacobian.
        const dP = new Float64Array(P.length);
        let rowDot = 0;
        for (let j = 0; j < P.length; j++) {
          for (let d = 0; d < s.hd; d++) dP[j] += go(d) * vc[cacheAt(s, b, g, j) + d];
          rowDot += P[j] * dP[j];
        }
        for (let j = 0; j < P.length; j++) {
          const ds = P[j] * (dP[j] - rowDot);
          const at = cacheAt(s, b, g, j);
          for (let d = 0; d < s.hd; d++) {
            dq[r * s.H * s.hd + h * s.hd + d] += s.scale * ds * kc[at + d];
            dkc[at + d] += s.scale * ds * qkv[r * s.ldq + s.qOff + h * s.hd + d];
            dvc[at + d] += P[j] * go(d);
          }
        }
      }
    }
  }
  return { dq, dkc, dvc };
}

/** dk, dv [B·n, Hkv·hd]: the cache gradient at the appended positions pos .. pos + n - 1. */
export function kvAppendBackwardRef(dkc: ArrayLike<number>, dvc: ArrayLike<number>, s: KvShape, pos: number): { dk: Float64Array; dv: Float64Array } {
  const w = s.Hkv * s.hd;
  const dk = new Float64Array(s.B * s.n * w);
  const dv = new Float64Array(dk.length);
  for (let b = 0; b < s.B; b++) {
    for (let i = 0; i < s.n; i++) {
      for (let g = 0; g < s.Hkv; g++) {
        for (let d = 0; d < s.hd; d++) {
          dk[(b * s.n + i) * w + g * s.hd + d] = dkc[cacheAt(s, b, g, pos + i) + d];
          dv[(b * s.n + i) * w + g * s.hd + d] = dvc[cacheAt(s, b, g, pos + i) + d];
        }
      }
    }
  }
  return { dk, dv };
}
