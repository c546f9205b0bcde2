import { tensorBytes } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { formatBytes } from '../util/bytes.ts';
import type { ModelSpec } from './config.ts';
import type { NormStats } from './norms.ts';
import { mlpUpWidth } from './block.ts';

/**
 * Every buffer a TransformerSession holds, with its shape: the session allocates exactly these, and
 * the memory plan (memory-plan.ts) counts exactly these, by running the same function with an
 * allocator that only adds up bytes. So a reported activation size is the engine's own.
 */

export interface SessionOptions {
  /** Independent sequences run together (restarts, texts sharing m). */
  batch: number;
  seqLen: number;
  /** Allocate what backward needs (per-layer activations and gradient buffers). */
  withGrad: boolean;
  /** Keep the full [rows, vocab] logits (evaluation and tests; refused when too large). */
  keepLogits?: boolean;
  /** Upper bound for one vocabulary chunk of logits, in bytes. */
  logitsChunkBytes?: number;
  /** Keep every layer's MLP input projection up to this many bytes, else recompute it (default MLP_KEEP_BYTES). */
  mlpKeepBytes?: number;
}

/**
 * One layer's activations. The weights are frozen, so a matrix's input is never needed again for
 * its (absent) weight gradient: the norm outputs h1, h2 and the MLP activation a are one buffer
 * shared by every layer. What the backward reads is kept per layer: qkv, att, lse, xm, the norm
 * statistics, u (unless the session recomputes it, see MLP_KEEP_BYTES), with per-head q/k
 * norms (spec.headNorm) their input qkvProj and statistics nq, nk, and with sandwich norms
 * (spec.sandwichNorms) the two branch outputs ao, mo before their norms and those norms' statistics.
 */
export interface LayerActs {
  h1: Tensor; // norm1 output [R, d] (shared)
  n1: NormStats;
  qkv: Tensor; // [R, (H + 2·Hkv)·hd], after the head norms and rotary
  qkvProj: Tensor | null; // the q | k | v projection output before the head norms [R, (H + 2·Hkv)·hd] (head norms only)
  nq: Tensor | null; // rstd of every q head [R·H] (head norms only)
  nk: Tensor | null; // rstd of every k head [R·Hkv] (head norms only)
  att: Tensor; // attention output [R, H·hd]
  lse: Tensor; // [R, H]
  xm: Tensor | null; // residual after attention (sequential residual only) [R, d]
  h2: Tensor; // norm2 output [R, d] (shared)
  n2: NormStats;
  u: Tensor; // MLP input projection [R, upOut] (Llama: gate | up); shared when recomputed
  a: Tensor; // MLP activation [R, I] (shared)
  ao: Tensor | null; // attention branch output o(att) before its post-norm [R, d] (sandwich norms only)
  n3: NormStats | null;
  mo: Tensor | null; // MLP branch output down(a) before its post-norm [R, d] (sandwich norms only)
  n4: NormStats | null;
}

/**
 * Above this many bytes of MLP input projections (u, all layers), the session keeps one u and
 * recomputes each layer's in the backward pass (norm2 and the up matmul again: about a sixth more
 * work per step). u is the widest activation (Llama: 2·I columns, 7·d for Llama-3.1-8B), so this
 * is what lets the big models fit a consumer GPU; small models keep it and lose no time.
 */
export const MLP_KEEP_BYTES = 256 * 2 ** 20;

export interface VocabPiece {
  chunk: number;
  local: number; // first row inside the weight chunk
  rows: number;
  v0: number; // first vocabulary id
}

export interface SessionGrads {
  g: [Tensor, Tensor];
  dxm: Tensor;
  dh: Tensor;
  da: Tensor;
  du: Tensor;
  dattn: Tensor;
  dqkv: Tensor;
  /** Gradient w.r.t. the q | k | v projection output, before the head norms [R, (H + 2·Hkv)·hd] (head norms only). */
  dqkvProj: Tensor | null;
  /** Gradient w.r.t. a branch output before its post-norm [R, d] (sandwich norms only). */
  dpre: Tensor | null;
  delta: Tensor;
}

export interface SessionBuffers {
  inputs: Tensor;
  /** u32 [R]: each row's position, b·N + i → i (learned positions only: positions.ts). */
  positionIds: Tensor | null;
  targets: Tensor;
  loss: Tensor;
  argmax: Tensor;
  itemLoss: Tensor;
  itemCorrect: Tensor;
  ceState: Tensor;
  xs: Tensor[];
  acts: LayerActs[];
  xf: Tensor;
  nf: NormStats;
  ropeTab: Tensor;
  /** Rotary table of the local layers [N, rotaryDim] when they have their own base (Gemma 3), else null. */
  ropeTabLocal: Tensor | null;
  pieces: VocabPiece[];
  /** u is recomputed in backward (MLP_KEEP_BYTES). */
  recomputeMlp: boolean;
  scratch: Tensor;
  logits: Tensor | null;
  dlogits: Tensor;
  dInputs: Tensor | null;
  grads: SessionGrads | null;
}

export type Alloc = (shape: number[], label: string, dtype?: 'f32' | 'u32') => Tensor;

/**
 * The session's buffers for B sequences of N positions. `lmChunks` are the output matrix's row
 * chunks (linear.ts chunkRows); `maxBindingBytes` the adapter's storage binding limit.
 *
 * Layout of every activation: row-major [R, width] with R = B·N, row b·N + i = position i of
 * sequence b. The residual stream x[l] is kept for every layer boundary.
 */
export function sessionBuffers(spec: ModelSpec, opts: SessionOptions, lmChunks: readonly { rowStart: number; rows: number }[], maxBindingBytes: number, t: Alloc): SessionBuffers {
  const B = opts.batch;
  const N = opts.seqLen;
  const R = B * N;
  const d = spec.hidden;
  const H = spec.heads;
  const hd = spec.headDim;
  const qkvW = (H + 2 * spec.kvHeads) * hd;
  const upW = mlpUpWidth(spec);
  const sw = spec.sandwichNorms;
  const I = spec.intermediate;

  const stats = (label: string): NormStats => ({ rstd: t([R], `${label}.rstd`), mean: spec.norm === 'layernorm' ? t([R], `${label}.mean`) : null });
  const recomputeMlp = opts.withGrad && R * upW * 4 * spec.layers > (opts.mlpKeepBytes ?? MLP_KEEP_BYTES);
  const shared = { h1: t([R, d], 'h1'), h2: t([R, d], 'h2'), a: t([R, I], 'a'), u: recomputeMlp || !opts.withGrad ? t([R, upW], 'u') : null };
  const makeActs = (l: number): LayerActs => ({
    h1: shared.h1,
    n1: stats(`l${l}.n1`),
    qkv: t([R, qkvW], `l${l}.qkv`),
    qkvProj: spec.headNorm ? t([R, qkvW], `l${l}.qkv_proj`) : null,
    nq: spec.headNorm ? t([R * H], `l${l}.nq.rstd`) : null,
    nk: spec.headNorm ? t([R * spec.kvHeads], `l${l}.nk.rstd`) : null,
    att: t([R, H * hd], `l${l}.att`),
    lse: t([R, H], `l${l}.lse`),
    xm: spec.parallelResidual ? null : t([R, d], `l${l}.xm`),
    h2: shared.h2,
    n2: stats(`l${l}.n2`),
    u: shared.u ?? t([R, upW], `l${l}.u`),
    a: shared.a,
    ao: sw ? t([R, d], `l${l}.ao`) : null,
    n3: sw ? stats(`l${l}.n3`) : null,
    mo: sw ? t([R, d], `l${l}.mo`) : null,
    n4: sw ? stats(`l${l}.n4`) : null,
  });

  const inputs = t([R, d], 'inputs');
  const head = {
    inputs,
    targets: t([R], 'targets', 'u32'),
    loss: t([R], 'loss'),
    argmax: t([R], 'argmax', 'u32'),
    itemLoss: t([B], 'item_loss'),
    itemCorrect: t([B], 'item_correct', 'u32'),
    ceState: t([R, 3], 'ce_state'),
  };
  // The residual stream x[0] is the inputs themselves, or with learned positions their sum with
  // the position embeddings, x0 = inputs + wpe[i] (positions.ts), which norm1's backward reads.
  const positionIds = spec.learnedPositions ? t([R], 'position_ids', 'u32') : null;
  let xs: Tensor[];
  let acts: LayerActs[];
  // Without backward, layers can share one set of activations and ping-pong the residual.
  if (opts.withGrad) {
    xs = [spec.learnedPositions ? t([R, d], 'x0') : inputs];
    for (let l = 0; l < spec.layers; l++) xs.push(t([R, d], `x${l + 1}`));
    acts = Array.from({ length: spec.layers }, (_, l) => makeActs(l));
  } else {
    const shared = makeActs(0);
    const pp = [t([R, d], 'x_a'), t([R, d], 'x_b')];
    // x0 may live in x_b: layer 0 reads it and writes x_a; layer 1 overwrites x_b only after.
    xs = [spec.learnedPositions ? pp[1] : inputs, ...Array.from({ length: spec.layers }, (_, l) => pp[l % 2])];
    acts = Array.from({ length: spec.layers }, () => shared);
  }
  const xf = t([R, d], 'xf');
  const nf = stats('final');
  const ropeTab = t([N, spec.rotaryDim], 'rope_table');
  const ropeTabLocal = spec.localRopeTheta !== null ? t([N, spec.rotaryDim], 'rope_table_local') : null;

  const V = spec.vocabSize;
  let pieces: VocabPiece[];
  if (opts.keepLogits) {
    if (lmChunks.length > 1 || R * V * 4 > maxBindingBytes) {
      throw new Error(`Full logits for ${R} positions x ${V} tokens (${formatBytes(R * V * 4)}) do not fit one GPU buffer; evaluate fewer positions at once.`);
    }
    pieces = [{ chunk: 0, local: 0, rows: V, v0: 0 }];
  } else {
    const budget = Math.min(opts.logitsChunkBytes ?? 64 << 20, maxBindingBytes);
    const per = Math.max(1, Math.floor(budget / (R * 4)));
    pieces = [];
    lmChunks.forEach((c, ci) => {
      for (let s = 0; s < c.rows; s += per) pieces.push({ chunk: ci, local: s, rows: Math.min(per, c.rows - s), v0: c.rowStart + s });
    });
  }
  const widest = Math.max(...pieces.map((pc) => pc.rows));
  const scratch = t([R, widest], 'logits');
  const logits = opts.keepLogits ? scratch : null;
  // The backward turns logits into their gradient in place; kept logits need their own buffer.
  const dlogits = opts.keepLogits && opts.withGrad ? t([R, widest], 'd_logits') : scratch;

  let dInputs: Tensor | null = null;
  let grads: SessionGrads | null = null;
  if (opts.withGrad) {
    dInputs = t([R, d], 'd_inputs');
    grads = {
      g: [t([R, d], 'g_a'), t([R, d], 'g_b')],
      dxm: t([R, d], 'd_xm'),
      dh: t([R, d], 'd_h'),
      da: t([R, I], 'd_a'),
      du: t([R, upW], 'd_u'),
      dattn: t([R, H * hd], 'd_att'),
      dqkv: t([R, qkvW], 'd_qkv'),
      dqkvProj: spec.headNorm ? t([R, qkvW], 'd_qkv_proj') : null,
      dpre: sw ? t([R, d], 'd_pre') : null,
      delta: t([R, H], 'attn_delta'),
    };
  }
  return { ...head, positionIds, xs, acts, xf, nf, ropeTab, ropeTabLocal, pieces, recomputeMlp, scratch, logits, dlogits, dInputs, grads };
}

/** An allocator that allocates nothing and adds up what the real one would take. */
export function countingAlloc(): { alloc: Alloc; bytes: () => number } {
  let bytes = 0;
  return {
    alloc: (shape, label, dtype = 'f32') => {
      bytes += tensorBytes(shape);
      return { buffer: null as unknown as GPUBuffer, shape, dtype, label };
    },
    bytes: () => bytes,
  };
}

/** Bytes a session with these options holds (what TransformerSession.bytes reports once built). */
export function sessionBytes(spec: ModelSpec, opts: SessionOptions, lmChunks: readonly { rowStart: number; rows: number }[], maxBindingBytes: number): number {
  const c = countingAlloc();
  sessionBuffers(spec, opts, lmChunks, maxBindingBytes, c.alloc);
  return c.bytes();
}
