import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { layerRope, layerWindow, type ModelSpec } from './config.ts';
import type { LayerWeights } from './weights.ts';
import type { LayerActs, SessionGrads } from './session-buffers.ts';
import { linearForward, linearBackward } from './linear.ts';
import { rmsnormForward, rmsnormBackward, type NormRowsView } from '../ops/norm.ts';
import { ropeForward, ropeBackward } from '../ops/rope.ts';
import { attentionForward, attentionBackward, type AttentionArgs } from '../ops/attention.ts';

/**
 * One layer's attention block for TransformerSession, from the norm1 output to the attention
 * output (the output projection and the residual stay in transformer.ts), and its backward.
 * Shapes, with R = B·N rows, W = (H + 2·Hkv)·hd the fused q | k | v width:
 *
 *   forward
 *     qkvProj = h1 · Wqkvᵀ (+ b)               [R, W]       (written straight into qkv without head norms)
 *     qkv     = qkvProj, its q and k heads      [R, W]       (head norms only: q_norm on each of the H q
 *               each RMSNorm(head) · q/k_norm                heads, k_norm on each of the Hkv k heads;
 *                                                            rstd nq [R·H], nk [R·Hkv])
 *     qkv     = RoPE(q and k heads of qkv)      [R, W]       (in place)
 *     att     = causal attention(qkv)           [R, H·hd]    (and lse [R, H])
 *
 *   backward (the forward reversed)
 *     dqkv     = attention backward(d att)       [R, W]
 *     dqkv     = RoPE⁻¹(q and k heads of dqkv)   [R, W]      (in place)
 *     dqkvProj = dqkv, its q and k heads through [R, W]      (head norms only; reads qkvProj and nq, nk)
 *                the RMSNorm backward
 *     dh       = dqkvProj · Wqkv                 [R, d]
 */
export interface AttentionBlock {
  spec: ModelSpec;
  /** Sequences and positions per sequence: R = B·N rows. */
  B: number;
  N: number;
  /** Rotary table [N, rotaryDim]. */
  ropeTab: Tensor;
  /** The local layers' own table [N, rotaryDim] (Gemma 3's rope_local_base_freq), else null. */
  ropeTabLocal: Tensor | null;
}

/** Width of the fused q | k | v rows. */
function qkvWidth(spec: ModelSpec): number {
  return (spec.heads + 2 * spec.kvHeads) * spec.headDim;
}

/** The strided views (src/ops/norm.ts) of the q heads and the k heads of fused [R, q | k | v] rows. */
function headViews(spec: ModelSpec, R: number): { q: { rows: number; view: NormRowsView }; k: { rows: number; view: NormRowsView } } {
  const ld = qkvWidth(spec);
  return {
    q: { rows: R * spec.heads, view: { ld, colOffset: 0, heads: spec.heads } },
    k: { rows: R * spec.kvHeads, view: { ld, colOffset: spec.heads * spec.headDim, heads: spec.kvHeads } },
  };
}

/**
 * Qwen3's per-head norms: dst = src (first R rows), then every q head and k head of dst replaced
 * by its RMSNorm over headDim with q_norm / k_norm; rstd into nq [R·H] and nk [R·Hkv].
 * (Also the KV-cached decoder's.)
 */
export function headNormsForward(p: Program, label: string, spec: ModelSpec, w: LayerWeights, src: Tensor, dst: Tensor, nq: Tensor, nk: Tensor, R: number): void {
  const v = headViews(spec, R);
  const dim = spec.headDim;
  p.copy(`${label}.copy`, src, dst, R * qkvWidth(spec) * 4);
  rmsnormForward(p, `${label}.q`, { x: src, w: w.qNorm!.w, y: dst, rstd: nq, rows: v.q.rows, dim, eps: spec.normEps, view: v.q.view });
  rmsnormForward(p, `${label}.k`, { x: src, w: w.kNorm!.w, y: dst, rstd: nk, rows: v.k.rows, dim, eps: spec.normEps, view: v.k.view });
}

/** dx = dy (first R rows), its q and k heads replaced by the head norms' input gradient (x: the forward's src). */
function headNormsBackward(p: Program, label: string, spec: ModelSpec, w: LayerWeights, x: Tensor, nq: Tensor, nk: Tensor, dy: Tensor, dx: Tensor, R: number): void {
  const v = headViews(spec, R);
  const dim = spec.headDim;
  p.copy(`${label}.copy`, dy, dx, R * qkvWidth(spec) * 4);
  rmsnormBackward(p, `${label}.q`, { x, w: w.qNorm!.w, rstd: nq, dy, dx, rows: v.q.rows, dim, accumulate: false, view: v.q.view });
  rmsnormBackward(p, `${label}.k`, { x, w: w.kNorm!.w, rstd: nk, dy, dx, rows: v.k.rows, dim, accumulate: false, view: v.k.view });
}

/**
 * Layer l's h1 [R, d] → a.att [R, H·hd] (and a.qkv, a.lse, the head norms' a.qkvProj, a.nq, a.nk
 * kept for backward). The layer's type picks its window and rotary table (layerWindow, layerRope).
 */
export function attentionBlockForward(p: Program, L: string, l: number, c: AttentionBlock, w: LayerWeights, a: LayerActs): void {
  const { spec } = c;
  const R = c.B * c.N;
  if (spec.headNorm) {
    linearForward(p, `${L}.qkv`, w.qkv, a.h1, a.qkvProj!, R);
    headNormsForward(p, `${L}.head_norms`, spec, w, a.qkvProj!, a.qkv, a.nq!, a.nk!, R);
  } else {
    linearForward(p, `${L}.qkv`, w.qkv, a.h1, a.qkv, R);
  }
  rope(p, ropeForward, `${L}.rope`, c, l, a.qkv);
  attentionForward(p, `${L}.attn`, attnArgs(c, l, a));
}

/** g.dattn [R, H·hd] → g.dh [R, d] (overwritten); g.dqkv (and g.dqkvProj) are scratch. */
export function attentionBlockBackward(p: Program, L: string, l: number, c: AttentionBlock, w: LayerWeights, a: LayerActs, g: SessionGrads): void {
  const { spec } = c;
  const R = c.B * c.N;
  attentionBackward(p, `${L}.attn.bwd`, { ...attnArgs(c, l, a), dout: g.dattn, dqkv: g.dqkv, delta: g.delta });
  rope(p, ropeBackward, `${L}.rope.bwd`, c, l, g.dqkv);
  let dProj = g.dqkv;
  if (spec.headNorm) {
    headNormsBackward(p, `${L}.head_norms.bwd`, spec, w, a.qkvProj!, a.nq!, a.nk!, g.dqkv, g.dqkvProj!, R);
    dProj = g.dqkvProj!;
  }
  linearBackward(p, `${L}.qkv.bwd`, w.qkv, dProj, g.dh, R, false);
}

/**
 * Rotary on the q heads and the k heads of a fused [R, q | k | v] buffer. The k heads follow the
 * q heads with the same head size, so one dispatch rotates all H + Hkv of them.
 */
function rope(p: Program, op: typeof ropeForward, label: string, c: AttentionBlock, l: number, buf: Tensor): void {
  const { spec } = c;
  if (spec.rotaryDim === 0) return;
  const table = layerRope(spec, l) === 'local' ? c.ropeTabLocal! : c.ropeTab;
  op(p, label, { x: buf, table, rows: c.B * c.N, seqLen: c.N, posOffset: 0, ld: qkvWidth(spec), headDim: spec.headDim, rotDim: spec.rotaryDim, colOffset: 0, nHeads: spec.heads + spec.kvHeads });
}

function attnArgs(c: AttentionBlock, l: number, a: LayerActs): AttentionArgs {
  const { spec } = c;
  const H = spec.heads;
  const hd = spec.headDim;
  return {
    qkv: a.qkv,
    out: a.att,
    lse: a.lse,
    B: c.B,
    N: c.N,
    H,
    Hkv: spec.kvHeads,
    hd,
    ldq: qkvWidth(spec),
    qOff: 0,
    kOff: H * hd,
    vOff: (H + spec.kvHeads) * hd,
    scale: spec.attnScale,
    window: layerWindow(spec, l),
  };
}
