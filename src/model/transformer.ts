import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Gpu } from '../gpu/gpu.ts';
export type { SessionOptions } from './session-buffers.ts';
import { sessionBuffers, type LayerActs, type SessionBuffers, type SessionGrads, type SessionOptions, type VocabPiece } from './session-buffers.ts';
import type { Model } from './model.ts';
import { ropeInvFreq } from './config.ts';
import { linearForward, linearBackward } from './linear.ts';
import { normForward, normBackward, type NormStats } from './norms.ts';
import { attentionBlockForward, attentionBlockBackward, type AttentionBlock } from './attention-block.ts';
import { addBranch, fusedSwiglu, mlpDownBackward, mlpUpForward, postNorm, postNormBackward, type PostNorm } from './block.ts';
import { addPositions, positionIds } from './positions.ts';
import type { LayerWeights } from './weights.ts';
import { matmul } from '../ops/matmul.ts';
import { ropeTable } from '../ops/rope.ts';
import { ceReset, ceChunkForward, ceFinalize, ceChunkBackward, ceReduce } from '../ops/cross-entropy.ts';

/** Target id meaning "this position is not scored". */
export const NONE = 0xffffffff;

/**
 * One shape of work on a model: B sequences of N input embeddings in, per-position
 * cross-entropy against targets out, and (with withGrad) the gradient of the summed loss with
 * respect to every input embedding. It owns its buffers and records its forward and backward
 * passes into Programs, which the caller wraps with whatever builds the inputs (proto-token
 * layout, token embeddings) and consumes the gradient (AdamW).
 *
 * Layout of every activation: row-major [R, width] with R = B·N, row b·N + i = position i of
 * sequence b. The residual stream x[l] is kept for every layer boundary; x[0] is the inputs, or
 * with learned positions (GPT-2) inputs + wpe[i] in a buffer of its own (positions.ts).
 *
 * One layer, d = hidden, I = intermediate, upW = 2·I gated (gate | up) or I:
 *   h1  = norm1(x)                                    [R, d]
 *   att = attention(h1)                               [R, H·hd]   (attention-block.ts)
 *   xm  = x + o(att)                                  [R, d]      (Gemma: x + post_norm(ao), ao = o(att) [R, d])
 *   h2  = norm2(xm)                                   [R, d]      (parallel residual: norm2(x), no xm)
 *   u   = up(h2)                                      [R, upW]
 *   a   = act(gate)·up or act(u)                      [R, I]
 *   x'  = xm + down(a)                                [R, d]      (Gemma: xm + post_norm(mo), mo = down(a) [R, d];
 *                                                                  parallel: x + o(att) + down(a))
 * The backward runs the same steps in reverse (recordBackward).
 */
export class TransformerSession {
  readonly B: number;
  readonly N: number;
  readonly R: number;
  /** Input embeddings [R, d]: written by the caller before forward. */
  readonly inputs: Tensor;
  /** u32 [R]: the token each position must predict, NONE to skip. */
  readonly targets: Tensor;
  readonly loss: Tensor; // [R]
  readonly argmax: Tensor; // u32 [R]
  readonly itemLoss: Tensor; // [B]
  readonly itemCorrect: Tensor; // u32 [B]
  /** Gradient of the summed loss w.r.t. inputs [R, d] (withGrad only). */
  readonly dInputs: Tensor | null;
  readonly logits: Tensor | null;

  private readonly owned: Tensor[] = [];
  /** u32 [R]: each row's position (learned positions only). */
  private readonly positionIds: Tensor | null;
  private readonly xs: Tensor[];
  private readonly acts: LayerActs[];
  private readonly xf: Tensor;
  private readonly nf: NormStats;
  private readonly ropeTab: Tensor;
  private readonly ropeTabLocal: Tensor | null;
  /** What the attention block (attention-block.ts) reads besides the layer's weights and buffers. */
  private readonly block: AttentionBlock;
  private readonly ceState: Tensor;
  private readonly scratch: Tensor; // one vocabulary chunk of logits (or all of them)
  private readonly dlogits: Tensor; // the scratch itself, or a copy when the logits must survive backward
  private readonly pieces: VocabPiece[];
  /** Each layer's u is recomputed in backward instead of kept (session-buffers.ts MLP_KEEP_BYTES). */
  private readonly recomputeMlp: boolean;
  /** SwiGLU fused into the MLP matmuls (block.ts fusedSwiglu). */
  private readonly fusedSwiglu: boolean;
  private readonly grads: SessionGrads | null;

  constructor(
    readonly model: Model,
    readonly opts: SessionOptions,
  ) {
    const { spec, gpu } = model;
    const B = (this.B = opts.batch);
    const N = (this.N = opts.seqLen);
    if (!Number.isInteger(B) || B < 1) throw new Error(`batch must be a positive integer, got ${B}`);
    if (!Number.isInteger(N) || N < 1) throw new Error(`sequence length must be a positive integer, got ${N}`);
    if (N > spec.maxPositions) {
      throw new Error(`${N} positions asked for, but this model handles at most ${spec.maxPositions} (max_position_embeddings). Use a shorter text.`);
    }
    this.R = B * N;
    this.fusedSwiglu = fusedSwiglu(gpu, spec, model.weights.layers[0]);
    // A refused allocation (memory budget, binding limit, logits too big) frees what this session already holds.
    let bufs: SessionBuffers;
    try {
      bufs = sessionBuffers(spec, opts, model.weights.lmHead.chunks, gpu.limits.maxStorageBindingBytes, (shape, label, dtype = 'f32') => this.alloc(gpu, shape, label, dtype));
    } catch (e) {
      this.destroy();
      throw e;
    }
    ({
      inputs: this.inputs,
      targets: this.targets,
      loss: this.loss,
      argmax: this.argmax,
      itemLoss: this.itemLoss,
      itemCorrect: this.itemCorrect,
      ceState: this.ceState,
      positionIds: this.positionIds,
      xs: this.xs,
      acts: this.acts,
      xf: this.xf,
      nf: this.nf,
      ropeTab: this.ropeTab,
      ropeTabLocal: this.ropeTabLocal,
      pieces: this.pieces,
      recomputeMlp: this.recomputeMlp,
      scratch: this.scratch,
      logits: this.logits,
      dlogits: this.dlogits,
      dInputs: this.dInputs,
      grads: this.grads,
    } = bufs);
    gpu.write(this.ropeTab, ropeTable(ropeInvFreq(spec), N));
    if (this.ropeTabLocal) gpu.write(this.ropeTabLocal, ropeTable(ropeInvFreq(spec, 'local'), N));
    if (this.positionIds) gpu.write(this.positionIds, positionIds(B, N));
    this.block = { spec, B, N, ropeTab: this.ropeTab, ropeTabLocal: this.ropeTabLocal };
  }

  /**
   * The final hidden states [R, d] after the last norm (what the output matrix reads: Hugging
   * Face's last_hidden_state), valid after a recorded forward has run.
   */
  get finalHidden(): Tensor {
    return this.xf;
  }

  /**
   * The residual stream [R, d] entering layer l (l = 0: the inputs, with GPT-2's positions added),
   * valid after a recorded forward has run; l = layers is the last layer's output before the final norm.
   */
  residual(l: number): Tensor {
    if (!Number.isInteger(l) || l < 0 || l > this.model.spec.layers) throw new Error(`No residual stream at layer ${l}: this model has layers 0..${this.model.spec.layers}.`);
    return this.xs[l];
  }

  /** Bytes of GPU memory this session holds (weights excluded). */
  get bytes(): number {
    return this.owned.reduce((s, x) => s + x.buffer.size, 0);
  }

  /** inputs → loss, argmax, per-sequence totals (and logits with keepLogits). */
  recordForward(p: Program): void {
    const { spec, weights } = this.model;
    const { R, B, N } = this;
    // Learned positions (GPT-2): x0 [R, d] = inputs + wpe[position of each row]; otherwise x0 is inputs.
    if (this.positionIds) addPositions(p, 'positions', weights.positions!, this.positionIds, this.inputs, this.xs[0], R);
    for (let l = 0; l < spec.layers; l++) {
      const w = weights.layers[l];
      const a = this.acts[l];
      const x = this.xs[l];
      const xNext = this.xs[l + 1];
      const L = `l${l}`;
      normForward(p, `${L}.norm1`, spec, w.norm1, x, a.h1, a.n1, R);
      // h1 [R, d] → qkv [R, (H + 2·Hkv)·hd] (head norms, rotary) → att [R, H·hd]: attention-block.ts
      attentionBlockForward(p, L, l, this.block, w, a);
      // The attention branch joins the residual in xm (parallel residual: straight into x').
      const xAfterAttn = spec.parallelResidual ? xNext : a.xm!;
      const post = this.postNorms(w, a);
      addBranch(p, `${L}.o`, spec, w.o, a.att, x, xAfterAttn, R, post.attn);
      normForward(p, `${L}.norm2`, spec, w.norm2, spec.parallelResidual ? x : a.xm!, a.h2, a.n2, R);
      mlpUpForward(p, L, spec, w, a.h2, a.u, a.a, R, this.fusedSwiglu);
      addBranch(p, `${L}.down`, spec, w.down, a.a, xAfterAttn, xNext, R, post.mlp);
    }
    normForward(p, 'final_norm', spec, weights.finalNorm, this.xs[spec.layers], this.xf, this.nf, R);

    ceReset(p, 'ce.reset', { state: this.ceState, argmax: this.argmax, rows: R });
    for (const piece of this.pieces) {
      this.logitsPiece(p, piece);
      ceChunkForward(p, `ce.fwd[${piece.v0}]`, { logits: this.scratch, targets: this.targets, state: this.ceState, argmax: this.argmax, rows: R, vc: piece.rows, v0: piece.v0, ldl: piece.rows });
    }
    ceFinalize(p, 'ce.finalize', { state: this.ceState, targets: this.targets, loss: this.loss, rows: R });
    ceReduce(p, 'ce.reduce', { loss: this.loss, argmax: this.argmax, targets: this.targets, itemLoss: this.itemLoss, itemCorrect: this.itemCorrect, B, N });
  }

  /** Gradient of sum(loss) w.r.t. inputs into dInputs. Must follow recordForward in the same submission or a later one. */
  recordBackward(p: Program): void {
    const g = this.grads;
    if (!g || !this.dInputs) throw new Error('This session was created without withGrad');
    const { spec, weights } = this.model;
    const R = this.R;
    const d = spec.hidden;
    const lm = weights.lmHead;

    // d loss / d xf, vocabulary chunk by chunk; a single chunk still holds its logits from forward.
    this.pieces.forEach((piece, i) => {
      if (this.pieces.length > 1) this.logitsPiece(p, piece);
      if (this.dlogits !== this.scratch) p.copy('logits.keep', this.scratch, this.dlogits);
      ceChunkBackward(p, `ce.bwd[${piece.v0}]`, { logits: this.dlogits, targets: this.targets, state: this.ceState, rows: R, vc: piece.rows, v0: piece.v0, ldl: piece.rows });
      const w = lm.chunks[piece.chunk];
      matmul(p, `lm_head.bwd[${piece.v0}]`, {
        a: this.dlogits,
        b: w,
        c: g.dh,
        M: R,
        N: d,
        K: piece.rows,
        transposeB: false,
        bOffset: piece.local * w.ld,
        ldb: w.ld,
        accumulate: i > 0,
      });
    });
    let dx = g.g[0];
    normBackward(p, 'final_norm.bwd', spec, weights.finalNorm, this.xs[spec.layers], this.nf, g.dh, dx, R, false);

    for (let l = spec.layers - 1; l >= 0; l--) {
      const w = weights.layers[l];
      const a = this.acts[l];
      const x = this.xs[l];
      const L = `l${l}`;
      const dNext = dx === g.g[0] ? g.g[1] : g.g[0];
      const post = this.postNorms(w, a);
      const mlpIn = spec.parallelResidual ? x : a.xm!;
      // MLP branch: dx flows into postnorm(down(act(up(norm2(mlpIn))))).
      if (this.recomputeMlp) {
        normForward(p, `${L}.norm2.again`, spec, w.norm2, mlpIn, a.h2, a.n2, R);
        linearForward(p, `${L}.up.again`, w.up, a.h2, a.u, R);
      }
      const dMlpOut = postNormBackward(p, `${L}.down`, spec, post.mlp, dx, g.dpre!, R);
      mlpDownBackward(p, L, spec, w, dMlpOut, a.u, g.da, g.du, R, this.fusedSwiglu);
      linearBackward(p, `${L}.up.bwd`, w.up, g.du, g.dh, R, false);
      // d(residual after attention): dx, plus norm2's input gradient.
      const dAfterAttn = spec.parallelResidual ? dNext : g.dxm;
      p.copy(`${L}.residual2.bwd`, dx, dAfterAttn);
      normBackward(p, `${L}.norm2.bwd`, spec, w.norm2, mlpIn, a.n2, g.dh, dAfterAttn, R, true);
      // Attention branch: the same gradient flows into postnorm(o(attn(rope(headnorms(qkv(norm1(x))))))).
      const dAttnOut = postNormBackward(p, `${L}.o`, spec, post.attn, spec.parallelResidual ? dx : g.dxm, g.dpre!, R);
      linearBackward(p, `${L}.o.bwd`, w.o, dAttnOut, g.dattn, R, false);
      attentionBlockBackward(p, L, l, this.block, w, a, g);
      if (!spec.parallelResidual) p.copy(`${L}.residual.bwd`, g.dxm, dNext);
      normBackward(p, `${L}.norm1.bwd`, spec, w.norm1, x, a.n1, g.dh, dNext, R, true);
      dx = dNext;
    }
    // d inputs = d x0 (adding the positions passes the gradient through unchanged).
    p.copy('d_inputs', dx, this.dInputs);
  }

  destroy(): void {
    for (const t of this.owned) this.model.gpu.destroyTensor(t);
    this.owned.length = 0;
  }

  /** Layer l's sandwich norms (spec.sandwichNorms), both null elsewhere; their outputs land in the shared h2. */
  private postNorms(w: LayerWeights, a: LayerActs): { attn: PostNorm | null; mlp: PostNorm | null } {
    return { attn: postNorm(w.postAttnNorm, a.ao, a.n3, a.h2), mlp: postNorm(w.postMlpNorm, a.mo, a.n4, a.h2) };
  }

  private alloc(gpu: Gpu, shape: number[], label: string, dtype: 'f32' | 'u32'): Tensor {
    const t = gpu.createTensor(shape, dtype, label);
    this.owned.push(t);
    return t;
  }

  private logitsPiece(p: Program, piece: VocabPiece): void {
    const { spec, weights } = this.model;
    const w = weights.lmHead.chunks[piece.chunk];
    matmul(p, `lm_head[${piece.v0}]`, {
      a: this.xf,
      b: w,
      c: this.scratch,
      M: this.R,
      N: piece.rows,
      K: spec.hidden,
      transposeB: true,
      bOffset: piece.local * w.ld,
      ldb: w.ld,
      ldc: piece.rows,
    });
  }
}
