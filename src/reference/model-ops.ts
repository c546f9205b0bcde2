/**
 * The pieces every family's float64 reference block is built from (model-*.ts), as thin layers over
 * the op references of this folder, in the shapes the Hugging Face modelling code uses: activations
 * row-major [L, width], q [L, H·hd] with head h at columns h·hd, k and v [L, Hkv·hd].
 */
import { matmulRef } from './matmul.ts';
import { ropeForwardRef } from './rope.ts';
import { attentionForwardRef } from './attention.ts';

/** What a family contributes to the reference model: its embedding, its layers and its head. */
export interface ReferenceStack {
  /** The token embedding [V, d], unscaled, as stored. */
  embedTokens: Float64Array;
  /** Input embeddings [L, d] (inputs_embeds) -> the final norm's output [L, d]. */
  hidden(inputs: Float64Array, L: number): Float64Array;
  /** The output projection [V, d] (the embedding itself when tied). */
  head: Float64Array;
}

/** torch.nn.Linear: y [L, out] = x [L, in] · Wᵀ + b, W stored [out, in]. */
export function linear(x: Float64Array, w: Float64Array, L: number, inF: number, outF: number, bias: Float64Array | null = null): Float64Array {
  return matmulRef(x, w, L, outF, inF, true, bias ?? undefined);
}

/** GPT-2's Conv1D: y [L, out] = x [L, in] · W + b, W stored [in, out]. */
export function conv1d(x: Float64Array, w: Float64Array, L: number, inF: number, outF: number, bias: Float64Array): Float64Array {
  return matmulRef(x, w, L, outF, inF, false, bias);
}

/** a + b, elementwise (the residual adds). */
export function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, i) => x + b[i]);
}

/** a + b + c: GPT-NeoX's parallel residual, x + attn(ln1(x)) + mlp(ln2(x)). */
export function add3(a: Float64Array, b: Float64Array, c: Float64Array): Float64Array {
  return a.map((x, i) => x + b[i] + c[i]);
}

/** Columns [from, from + width) of every row of x [L, ld]. */
export function columns(x: Float64Array, L: number, ld: number, from: number, width: number): Float64Array {
  const out = new Float64Array(L * width);
  for (let r = 0; r < L; r++) out.set(x.subarray(r * ld + from, r * ld + from + width), r * width);
  return out;
}

/**
 * Rotary position embedding in the rotate-half convention (transformers' apply_rotary_pos_emb) on the
 * first rotDim columns of each of nHeads heads of x [L, nHeads·hd], positions 0..L-1; the rest of a
 * head passes through (GPT-NeoX's partial rotary). cos and sin are taken in float64 from invFreq.
 */
export function rotary(x: Float64Array, L: number, nHeads: number, hd: number, invFreq: Float64Array): Float64Array {
  const rotDim = 2 * invFreq.length;
  const half = invFreq.length;
  const table = new Float64Array(L * rotDim);
  for (let pos = 0; pos < L; pos++) {
    for (let j = 0; j < half; j++) {
      table[pos * rotDim + j] = Math.cos(pos * invFreq[j]);
      table[pos * rotDim + half + j] = Math.sin(pos * invFreq[j]);
    }
  }
  return ropeForwardRef(x, table, { rows: L, seqLen: L, posOffset: 0, ld: nHeads * hd, colOffset: 0, nHeads, headDim: hd, rotDim });
}

export interface AttentionArgs {
  L: number;
  H: number;
  Hkv: number;
  hd: number;
  /** Multiplies every score q·k. */
  scale: number;
  /** Sliding window (a position sees itself and window - 1 before it); 0: every earlier position. */
  window: number;
}

/**
 * Causal softmax attention of q [L, H·hd] over k, v [L, Hkv·hd] (query head h reads kv head
 * h / (H / Hkv), transformers' repeat_kv), -> [L, H·hd] with the heads side by side.
 */
export function causalAttention(q: Float64Array, k: Float64Array, v: Float64Array, a: AttentionArgs): Float64Array {
  const { L, H, Hkv, hd } = a;
  const ld = (H + 2 * Hkv) * hd;
  const qkv = new Float64Array(L * ld);
  for (let r = 0; r < L; r++) {
    qkv.set(q.subarray(r * H * hd, (r + 1) * H * hd), r * ld);
    qkv.set(k.subarray(r * Hkv * hd, (r + 1) * Hkv * hd), r * ld + H * hd);
    qkv.set(v.subarray(r * Hkv * hd, (r + 1) * Hkv * hd), r * ld + (H + Hkv) * hd);
  }
  return attentionForwardRef(qkv, { B: 1, N: L, H, Hkv, hd, ldq: ld, qOff: 0, kOff: H * hd, vOff: (H + Hkv) * hd, scale: a.scale, window: a.window }).out;
}

/** gate | up side by side per row, [L, 2I]: the layout swigluRef and gegluRef read. */
export function gateUp(gate: Float64Array, up: Float64Array, L: number, I: number): Float64Array {
  const gu = new Float64Array(L * 2 * I);
  for (let r = 0; r < L; r++) {
    gu.set(gate.subarray(r * I, (r + 1) * I), r * 2 * I);
    gu.set(up.subarray(r * I, (r + 1) * I), r * 2 * I + I);
  }
  return gu;
}
