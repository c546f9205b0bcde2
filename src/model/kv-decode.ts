import { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Model } from './model.ts';
import { layerRope, layerWindow, ropeInvFreq } from './config.ts';
import { embedRows, linearForward } from './linear.ts';
import { embedTokens } from './token-embedding.ts';
import { normForward, type NormStats } from './norms.ts';
import { addBranch, fusedSwiglu, mlpUpForward, mlpUpWidth, postNorm } from './block.ts';
import { headNormsForward } from './attention-block.ts';
import { addPositions, positionIds } from './positions.ts';
import { NONE } from './transformer.ts';
import { ropeForward, ropeTable } from '../ops/rope.ts';
import { embeddingForward } from '../ops/embedding.ts';
import { addInPlace } from '../ops/elementwise.ts';
import { ceReset, ceChunkForward } from '../ops/cross-entropy.ts';
import { kvAppend, attentionDecode, decodeAdvance, type KvShape } from '../ops/kv-cache.ts';

export interface KvDecoderOptions {
  /** Sequences decoded together. */
  batch: number;
  /** Prefix positions per sequence: memory vectors, or prompt tokens with `tokenPrefix`. */
  prefix: number;
  /** Tokens generated per sequence. */
  count: number;
  /** The prefix is token ids (written to `prefixIds`, embedded on the GPU) rather than embeddings. */
  tokenPrefix?: boolean;
}

/**
 * Greedy autoregressive decoding with a key/value cache (the baseline the paper's one-pass decoding
 * is compared against, Figure 4). Two recorded programs:
 *   prefill  the B·P prefix rows through every layer at once (keys and values appended to the
 *            cache), logits of each sequence's last row only, argmax = the first generated token;
 *   step     the B previous tokens' embeddings (gathered on the GPU from the last argmax) through
 *            every layer as one new row per sequence against the cache, then the next argmax.
 * The position lives in a GPU buffer (shaders/kv_cache.wgsl), so the step program is the same for
 * every token and a whole decode is queued without any CPU round trip: the tokens are read back once
 * at the end. Layer math mirrors TransformerSession.recordForward (sequential or parallel residual,
 * RMSNorm or LayerNorm, gated or plain MLP, partial or no rotary, per-head q/k norms, sandwich
 * norms, per-layer windows and rotary bases, learned positions added to the prefix and to each
 * step's embedding; the MLP and residual branches are block.ts's, shared with it) with the same
 * fusions (one rotary dispatch for the adjacent q and k heads, SwiGLU in the up matmul where that
 * kernel runs), so both decoding methods get the same engine; tests compare both token for token
 * and logit by logit.
 */
export class KvDecoder {
  readonly B: number;
  readonly P: number;
  readonly count: number;
  /** Cache positions: the prefix plus every generated token but the last, which is never fed back. */
  readonly maxLen: number;
  /** Prefix embeddings [B·P, d] (written by the caller unless tokenPrefix). */
  readonly inputs: Tensor;
  /** u32 [B·P] prefix token ids (tokenPrefix only). */
  readonly prefixIds: Tensor | null;
  /** u32 [B, count]: the generated tokens. */
  readonly tokens: Tensor;
  /** [B, vocab]: logits of the last prefill or step. */
  readonly logits: Tensor;
  /** u32 [2]: cache position, tokens emitted. */
  readonly state: Tensor;
  private readonly owned: Tensor[] = [];
  private readonly prefillProgram: Program;
  private readonly stepProgram: Program;

  constructor(
    readonly model: Model,
    opts: KvDecoderOptions,
  ) {
    const { spec, gpu, weights } = model;
    const B = (this.B = opts.batch);
    const P = (this.P = opts.prefix);
    const count = (this.count = opts.count);
    for (const [k, v] of [['batch', B], ['prefix', P], ['count', count]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`KV decoding: ${k} must be a positive whole number, got ${v}.`);
    }
    const maxLen = (this.maxLen = P + count - 1);
    if (maxLen > spec.maxPositions) {
      throw new Error(`Decoding ${count} tokens after ${P} prefix positions needs ${maxLen} positions, but this model handles at most ${spec.maxPositions}.`);
    }
    const d = spec.hidden;
    const H = spec.heads;
    const Hkv = spec.kvHeads;
    const hd = spec.headDim;
    const qkvW = (H + 2 * Hkv) * hd;
    const I = spec.intermediate;
    const upW = mlpUpWidth(spec);
    const V = spec.vocabSize;
    const Rmax = B * P;
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.createTensor(shape, dtype, label);
      this.owned.push(x);
      return x;
    };
    if (B * V * 4 > gpu.limits.maxStorageBindingBytes) throw new Error(`Logits of ${B} sequences x ${V} tokens do not fit one GPU buffer; decode fewer sequences at once.`);

    this.inputs = t([Rmax, d], 'kv.inputs');
    this.prefixIds = opts.tokenPrefix ? t([Rmax], 'kv.prefix_ids', 'u32') : null;
    this.tokens = t([B, count], 'kv.tokens', 'u32');
    this.logits = t([B, V], 'kv.logits');
    this.state = t([2], 'kv.state', 'u32');
    const stepIn = t([B, d], 'kv.step_in');
    const xs = [t([Rmax, d], 'kv.x_a'), t([Rmax, d], 'kv.x_b')];
    const stats = (rows: number, label: string): NormStats => ({ rstd: t([rows], `${label}.rstd`), mean: spec.norm === 'layernorm' ? t([rows], `${label}.mean`) : null });
    const h1 = t([Rmax, d], 'kv.h1');
    const n1 = stats(Rmax, 'kv.n1');
    const qkv = t([Rmax, qkvW], 'kv.qkv');
    // Per-head q/k norms (spec.headNorm): the projection lands here and is normalised into qkv.
    const heads = spec.headNorm ? { proj: t([Rmax, qkvW], 'kv.qkv_proj'), nq: t([Rmax * H], 'kv.nq.rstd'), nk: t([Rmax * Hkv], 'kv.nk.rstd') } : null;
    const att = t([Rmax, H * hd], 'kv.att');
    const lse = t([Rmax, H], 'kv.lse');
    const xm = spec.parallelResidual ? null : t([Rmax, d], 'kv.xm');
    const h2 = t([Rmax, d], 'kv.h2');
    const n2 = stats(Rmax, 'kv.n2');
    const u = t([Rmax, upW], 'kv.u');
    const a = t([Rmax, I], 'kv.a');
    // Sandwich norms (Gemma 3): each branch's output before its norm, and the norms' statistics.
    const sandwich = spec.sandwichNorms ? { ao: t([Rmax, d], 'kv.ao'), n3: stats(Rmax, 'kv.n3'), mo: t([Rmax, d], 'kv.mo'), n4: stats(Rmax, 'kv.n4') } : null;
    const xlast = t([B, d], 'kv.x_last');
    const xf = t([B, d], 'kv.xf');
    const nf = stats(B, 'kv.nf');
    const ceState = t([B, 3], 'kv.ce_state');
    const targets = t([B], 'kv.targets', 'u32');
    gpu.write(targets, new Uint32Array(B).fill(NONE));
    const argmax = t([B], 'kv.argmax', 'u32');
    // Rotary tables [maxLen, rotaryDim], the local layers' too where they have a base of their own,
    // and each one's row for the current step position.
    const ropes = (['global', 'local'] as const)
      .filter((which) => which === 'global' || spec.localRopeTheta !== null)
      .map((which) => {
        const table = t([maxLen, spec.rotaryDim], `kv.rope_table.${which}`);
        gpu.write(table, ropeTable(ropeInvFreq(spec, which), maxLen));
        return { which, table, row: t([1, spec.rotaryDim], `kv.rope_row.${which}`) };
      });
    const ropeOf = (l: number) => ropes.find((r) => r.which === layerRope(spec, l))!;
    // Learned positions (GPT-2): the prefix's x0 = inputs + wpe[0..P) per sequence; a step's
    // embeddings get wpe[state[0]], gathered into one row and copied to each sequence's.
    const pos = spec.learnedPositions
      ? { wpe: weights.positions!, prefixIds: t([Rmax], 'kv.position_ids', 'u32'), x0: t([Rmax, d], 'kv.x0'), row: t([1, d], 'kv.position_row'), rows: t([B, d], 'kv.position_rows') }
      : null;
    if (pos) gpu.write(pos.prefixIds, positionIds(B, P));
    const caches = weights.layers.map((_, l) => ({ kc: t([B, Hkv, maxLen, hd], `kv.l${l}.k`), vc: t([B, Hkv, maxLen, hd], `kv.l${l}.v`) }));
    const fused = fusedSwiglu(gpu, spec, weights.layers[0]);
    const shape = (n: number): KvShape => ({ B, n, maxLen, H, Hkv, hd, ldq: qkvW, qOff: 0, kOff: H * hd, vOff: (H + Hkv) * hd, scale: spec.attnScale });

    /** Every layer over B·n rows; rope rotates layer l's q and k heads. Returns the last residual. */
    const layers = (p: Program, x0: Tensor, n: number, rope: (p: Program, label: string, l: number) => void): Tensor => {
      const R = B * n;
      let x = x0;
      weights.layers.forEach((w, l) => {
        const L = `kv.l${l}`;
        const xNext = xs[l % 2];
        normForward(p, `${L}.norm1`, spec, w.norm1, x, h1, n1, R);
        if (heads) {
          linearForward(p, `${L}.qkv`, w.qkv, h1, heads.proj, R);
          headNormsForward(p, `${L}.head_norms`, spec, w, heads.proj, qkv, heads.nq, heads.nk, R);
        } else {
          linearForward(p, `${L}.qkv`, w.qkv, h1, qkv, R);
        }
        rope(p, `${L}.rope`, l);
        const kv = { ...shape(n), state: this.state, qkv, ...caches[l] };
        kvAppend(p, `${L}.kv_append`, kv);
        attentionDecode(p, `${L}.attn`, { ...kv, out: att, lse, window: layerWindow(spec, l) });
        // As TransformerSession.recordForward: the branches join the residual through block.ts.
        const xAfterAttn = spec.parallelResidual ? xNext : xm!;
        addBranch(p, `${L}.o`, spec, w.o, att, x, xAfterAttn, R, postNorm(w.postAttnNorm, sandwich?.ao ?? null, sandwich?.n3 ?? null, h2));
        normForward(p, `${L}.norm2`, spec, w.norm2, spec.parallelResidual ? x : xm!, h2, n2, R);
        mlpUpForward(p, L, spec, w, h2, u, a, R, fused);
        addBranch(p, `${L}.down`, spec, w.down, a, xAfterAttn, xNext, R, postNorm(w.postMlpNorm, sandwich?.mo ?? null, sandwich?.n4 ?? null, h2));
        x = xNext;
      });
      return x;
    };
    // The k heads follow the q heads with the same head size: one dispatch rotates all H + Hkv.
    const ropeOn = (p: Program, label: string, table: Tensor, rows: number, seqLen: number) => {
      if (spec.rotaryDim === 0) return;
      ropeForward(p, label, { x: qkv, table, rows, seqLen, posOffset: 0, ld: qkvW, headDim: hd, rotDim: spec.rotaryDim, colOffset: 0, nHeads: H + Hkv });
    };
    /** final norm → logits [B, V] → argmax → emit; n = rows per sequence this program added. */
    const head = (p: Program, x: Tensor, n: number) => {
      normForward(p, 'kv.final_norm', spec, weights.finalNorm, x, xf, nf, B);
      linearForward(p, 'kv.lm_head', weights.lmHead, xf, this.logits, B);
      ceReset(p, 'kv.ce.reset', { state: ceState, argmax, rows: B });
      ceChunkForward(p, 'kv.ce.argmax', { logits: this.logits, targets, state: ceState, argmax, rows: B, vc: V, v0: 0, ldl: V });
      decodeAdvance(p, 'kv.advance', { state: this.state, next: argmax, tokens: this.tokens, B, n, count, hd });
    };

    const pre = (this.prefillProgram = new Program(gpu, 'kv.prefill'));
    if (this.prefixIds) {
      embedTokens(pre, 'kv.embed_prefix', model, this.prefixIds, this.inputs, Rmax);
    }
    let x0 = this.inputs;
    if (pos) {
      addPositions(pre, 'kv.positions', pos.wpe, pos.prefixIds, this.inputs, pos.x0, Rmax);
      x0 = pos.x0;
    }
    // The prefix sits at positions 0..P-1: the rotary angles are static here.
    const xp = layers(pre, x0, P, (p, label, l) => ropeOn(p, label, ropeOf(l).table, Rmax, P));
    // Only each sequence's last prefix row predicts (the first generated token).
    for (let b = 0; b < B; b++) pre.copy(`kv.last_row[${b}]`, xp, xlast, d * 4, ((b + 1) * P - 1) * d * 4, b * d * 4);
    head(pre, xlast, P);

    const step = (this.stepProgram = new Program(gpu, 'kv.step'));
    embedTokens(step, 'kv.embed', model, argmax, stepIn, B);
    // This step's position is state[0]: gather its row of each rotary table (state[0] read as an id).
    if (spec.rotaryDim > 0) {
      for (const r of ropes) embeddingForward(step, `kv.rope_row.${r.which}`, { ids: this.state, table: r.table, rowStart: 0, chunkRows: maxLen, out: r.row, rows: 1, dim: spec.rotaryDim });
    }
    if (pos) {
      // And its row of the position embeddings, added to every sequence's token embedding.
      embedRows(step, 'kv.position_row', pos.wpe, this.state, pos.row, 1);
      for (let b = 0; b < B; b++) step.copy(`kv.position_rows[${b}]`, pos.row, pos.rows, d * 4, 0, b * d * 4);
      addInPlace(step, 'kv.positions', { dst: stepIn, src: pos.rows, n: B * d });
    }
    const xsOut = layers(step, stepIn, 1, (p, label, l) => ropeOn(p, label, ropeOf(l).row, B, 1));
    head(step, xsOut, 1);
  }

  /** Dispatches recorded for one step (one token of every sequence). */
  get dispatchesPerStep(): number {
    return this.stepProgram.dispatchCount;
  }

  /** Rewinds the cache (its contents are overwritten before they are read again). */
  reset(): void {
    this.model.gpu.write(this.state, new Uint32Array([0, 0]));
  }

  /** Queues the prefill: afterwards `logits` are the last prefix row's and token 0 is emitted. */
  submitPrefill(): void {
    this.prefillProgram.run();
  }

  /** Queues one step: feeds the last emitted tokens, emits the next. */
  submitStep(): void {
    this.stepProgram.run();
  }

  /**
   * Queues a whole decode (reset, prefill, count - 1 steps) in one command buffer, without waiting:
   * the best case for autoregressive decoding, no CPU work between tokens.
   */
  submitAll(): void {
    const { gpu } = this.model;
    this.reset();
    const encoder = gpu.device.createCommandEncoder({ label: 'kv.decode' });
    this.prefillProgram.encode(encoder);
    for (let s = 1; s < this.count; s++) this.stepProgram.encode(encoder);
    gpu.device.queue.submit([encoder.finish()]);
  }

  /** The generated tokens, [B][count] (waits for the queued work). */
  async readTokens(): Promise<number[][]> {
    const all = await this.model.gpu.readU32(this.tokens);
    return Array.from({ length: this.B }, (_, b) => Array.from(all.subarray(b * this.count, (b + 1) * this.count)));
  }

  /** Decodes from whatever the prefix holds now. */
  async run(): Promise<number[][]> {
    this.submitAll();
    return this.readTokens();
  }

  destroy(): void {
    this.prefillProgram.destroy();
    this.stepProgram.destroy();
    for (const x of this.owned) this.model.gpu.destroyTensor(x);
    this.owned.length = 0;
  }
}

/** Greedy decoding of `count` tokens after B prefixes of P input embeddings each ([B·P, d] flattened). */
export async function kvDecodeEmbeddings(model: Model, inputs: Float32Array, batch: number, count: number): Promise<number[][]> {
  const d = model.spec.hidden;
  const P = inputs.length / (batch * d);
  if (!Number.isInteger(P) || P < 1) throw new Error(`${inputs.length} values are not ${batch} prefixes of whole ${d}-wide embeddings.`);
  const dec = new KvDecoder(model, { batch, prefix: P, count });
  try {
    model.gpu.write(dec.inputs, inputs);
    return await dec.run();
  } finally {
    dec.destroy();
  }
}

/** KV-cached greedy generation after a token prompt; the same tokens as greedyGenerate in generate.ts. */
export async function kvGreedyGenerate(model: Model, prompt: readonly number[], count: number): Promise<number[]> {
  if (prompt.length === 0) throw new Error('Greedy generation needs at least one prompt token (e.g. BOS).');
  for (const t of prompt) {
    if (!Number.isInteger(t) || t < 0 || t >= model.spec.vocabSize) throw new Error(`Token id ${t} is outside this model's vocabulary (0..${model.spec.vocabSize - 1}).`);
  }
  const dec = new KvDecoder(model, { batch: 1, prefix: prompt.length, count, tokenPrefix: true });
  try {
    model.gpu.write(dec.prefixIds!, Uint32Array.from(prompt));
    return (await dec.run())[0];
  } finally {
    dec.destroy();
  }
}
