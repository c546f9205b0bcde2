import { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Model } from '../model/model.ts';
import { TransformerSession, NONE } from '../model/transformer.ts';
import { layoutForward, layoutBackward, invertIndex } from '../ops/layout.ts';
import { embeddingForward } from '../ops/embedding.ts';
import { adamwTick, adamwUpdate } from '../ops/adamw.ts';
import { trackBest, type BestState } from '../ops/best.ts';
import { Rng } from '../util/rng.ts';
import { embeddingStd } from '../prototokens/init.ts';
import type { ProtoReport } from '../prototokens/trainer.ts';
import { type MemoryProblem, checkMemoryProblem, memoryPositions } from './problem.ts';
import { type MemorySettings, validateMemorySettings } from './settings.ts';

/** One item's K memory vectors, [K·d] row-major. */
export interface MemoryVectors {
  memory: Float32Array;
  K: number;
}

/**
 * A batch of memory-token optimisations on the GPU, one recorded Program per step like ProtoTrainer:
 *   token embeddings (gather) + memory rows (layout) → inputs → forward → keep best → backward
 *   → gradient of the memory rows only (layout backward) → AdamW
 * Input row b·L + i (L = K + N - 1) is memory row b·K + i for i < K, else the embedding of
 * t_{i-K+1}; position K-1+j is scored against t_{j+1}. The token rows are frozen inputs: they are
 * NONE in the layout index, so no gradient is routed anywhere from them.
 */
export class MemoryTrainer {
  readonly B: number;
  readonly N: number;
  readonly K: number;
  /** Input positions per item: K + N - 1. */
  readonly L: number;
  readonly session: TransformerSession;
  private readonly owned: Tensor[] = [];
  private readonly params: Tensor;
  private readonly dparams: Tensor;
  private readonly stepT: Tensor;
  private readonly best: BestState;
  private readonly stepProgram: Program;
  private submitted = 0;

  private constructor(
    readonly model: Model,
    readonly problem: MemoryProblem,
    readonly settings: MemorySettings,
    initStd: number,
  ) {
    validateMemorySettings(settings);
    const N = (this.N = checkMemoryProblem(problem));
    const B = (this.B = problem.targets.length);
    const K = (this.K = problem.K);
    const L = (this.L = memoryPositions(N, K));
    const { gpu, spec } = model;
    const d = spec.hidden;
    if (L > spec.maxPositions) throw new Error(`${K} memory vectors and ${N} tokens need ${L} input positions but the model takes at most ${spec.maxPositions}; use fewer tokens.`);
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.createTensor(shape, dtype, label);
      this.owned.push(x);
      return x;
    };
    this.session = new TransformerSession(model, { batch: B, seqLen: L, withGrad: true });

    const P = B * K;
    const index = new Uint32Array(B * L).fill(NONE);
    const ids = new Uint32Array(B * L).fill(NONE);
    const targets = new Uint32Array(B * L).fill(NONE);
    for (let b = 0; b < B; b++) {
      const text = problem.targets[b];
      for (const tok of text) {
        if (!Number.isInteger(tok) || tok < 0 || tok >= spec.vocabSize) throw new Error(`Token id ${tok} is outside this model's vocabulary (0..${spec.vocabSize - 1}).`);
      }
      for (let i = 0; i < L; i++) {
        if (i < K) index[b * L + i] = b * K + i;
        else ids[b * L + i] = text[i - K];
        if (i >= K - 1) targets[b * L + i] = text[i - K + 1];
      }
    }
    gpu.write(this.session.targets, targets);
    const indexT = t([B * L], 'mem.layout_index', 'u32');
    gpu.write(indexT, index);
    const idsT = t([B * L], 'mem.token_ids', 'u32');
    gpu.write(idsT, ids);
    const inv = invertIndex(index, P);
    const offsets = t([P + 1], 'mem.layout_offsets', 'u32');
    const rowsOf = t([B * L], 'mem.layout_rows_of', 'u32');
    gpu.write(offsets, inv.offsets);
    gpu.write(rowsOf, inv.rowsOf);

    this.params = t([P, d], 'mem.params');
    gpu.write(this.params, initialMemory(problem, d, initStd));
    const dparams = (this.dparams = t([P, d], 'mem.grads'));
    const adamM = t([P, d], 'mem.adam_m');
    const adamV = t([P, d], 'mem.adam_v');
    this.stepT = t([1], 'mem.adam_step', 'u32');

    const itemRows = t([B, K], 'mem.item_rows', 'u32');
    gpu.write(itemRows, Uint32Array.from({ length: P }, (_, i) => i));
    this.best = {
      bestCorrect: t([B], 'mem.best_correct', 'u32'),
      bestLoss: t([B], 'mem.best_loss'),
      bestStep: t([B], 'mem.best_step', 'u32'),
      improved: t([B], 'mem.improved', 'u32'),
      bestParams: t([B, K, d], 'mem.best_params'),
    };
    gpu.write(this.best.bestStep, new Uint32Array(B).fill(NONE));

    const p = (this.stepProgram = new Program(gpu, 'memory_step'));
    const s = this.session;
    // Rebuilt every step, so nothing depends on the session leaving its input buffer alone.
    for (const c of model.weights.embed.chunks) {
      embeddingForward(p, `mem.embed[${c.rowStart}]`, { ids: idsT, table: c.w, rowStart: c.rowStart, chunkRows: c.rows, out: s.inputs, rows: B * L, dim: d });
    }
    layoutForward(p, 'mem.layout', { params: this.params, index: indexT, out: s.inputs, rows: B * L, dim: d });
    s.recordForward(p);
    trackBest(p, 'mem.best', { ...this.best, itemCorrect: s.itemCorrect, itemLoss: s.itemLoss, step: this.stepT, params: this.params, rows: itemRows, B, K, dim: d });
    s.recordBackward(p);
    layoutBackward(p, 'mem.layout.bwd', { dout: s.dInputs!, offsets, rowsOf, dparams, P, dim: d });
    adamwTick(p, 'mem.adamw.tick', { step: this.stepT });
    adamwUpdate(p, 'mem.adamw', {
      params: this.params,
      grads: dparams,
      m: adamM,
      v: adamV,
      step: this.stepT,
      n: P * d,
      dim: d,
      hyper: { lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps, weightDecay: settings.weightDecay },
    });
  }

  static async create(model: Model, problem: MemoryProblem, settings: MemorySettings): Promise<MemoryTrainer> {
    const std = settings.init === 'embedding-std' ? await embeddingStd(model) : 1;
    return new MemoryTrainer(model, problem, settings, std);
  }

  get stepsSubmitted(): number {
    return this.submitted;
  }

  get dispatchesPerStep(): number {
    return this.stepProgram.dispatchCount;
  }

  /** Queues `k` optimisation steps without waiting for them. */
  submitSteps(k: number): void {
    const n = Math.min(k, this.settings.maxSteps - this.submitted);
    for (let i = 0; i < n; i++) this.stepProgram.run();
    this.submitted += n;
  }

  /** Metrics as of the last submitted step; argmax in text order (position K-1+j predicts t_{j+1}). */
  async report(): Promise<ProtoReport> {
    const step = this.submitted;
    const s = this.session;
    const b = this.best;
    const [loss, correct, bc, bl, bs, argmax] = await this.model.gpu.readMany([s.itemLoss, s.itemCorrect, b.bestCorrect, b.bestLoss, b.bestStep, s.argmax]);
    const { L, K, N } = this;
    return {
      step,
      loss: Array.from(loss),
      correct: Array.from(correct),
      bestCorrect: Array.from(bc),
      bestLoss: Array.from(bl),
      bestStep: Array.from(bs),
      argmax: Array.from({ length: this.B }, (_, item) => Array.from(argmax.subarray(item * L + K - 1, item * L + K - 1 + N))),
    };
  }

  /** The current memory of every item (after the last submitted step). */
  async currentVectors(): Promise<MemoryVectors[]> {
    return this.split(await this.model.gpu.read(this.params));
  }

  /** The best memory of every item. */
  async bestVectors(): Promise<MemoryVectors[]> {
    return this.split(await this.model.gpu.read(this.best.bestParams));
  }

  /** Gradient of the summed loss w.r.t. every memory row at the last executed step, [B·K, d] flattened. */
  async lastGradients(): Promise<Float32Array> {
    return this.model.gpu.read(this.dparams);
  }

  destroy(): void {
    this.stepProgram.destroy();
    this.session.destroy();
    for (const x of this.owned) this.model.gpu.destroyTensor(x);
    this.owned.length = 0;
  }

  private split(all: Float32Array): MemoryVectors[] {
    const w = this.K * this.model.spec.hidden;
    return Array.from({ length: this.B }, (_, b) => ({ memory: all.slice(b * w, (b + 1) * w), K: this.K }));
  }
}

/** Item b's K vectors, drawn N(0, std²) from its own seed (or its `initial` value). */
function initialMemory(problem: MemoryProblem, d: number, std: number): Float32Array {
  const w = problem.K * d;
  const out = new Float32Array(problem.targets.length * w);
  problem.seeds.forEach((seed, b) => out.set(new Rng(seed).normalArray(w, std), b * w));
  for (const [b, v] of problem.initial ?? []) {
    if (v.length !== w) throw new Error(`The starting memory has ${v.length} values; ${problem.K} vectors of width ${d} need ${w}.`);
    if (!(b >= 0 && b < problem.targets.length)) throw new Error(`Starting memory given for item ${b}, which is not in the batch.`);
    out.set(v, b * w);
  }
  return out;
}
