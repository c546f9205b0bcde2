import { formatBytes } from '../util/bytes.ts';
import { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Model } from '../model/model.ts';
import { TransformerSession, NONE } from '../model/transformer.ts';
import { layoutForward, layoutBackward, invertIndex } from '../ops/layout.ts';
import { adamwTick, adamwUpdate } from '../ops/adamw.ts';
import { trackBest, type BestState } from '../ops/best.ts';
import { Rng } from '../util/rng.ts';
import { planLayout, type LayoutPlan } from './layouts.ts';
import { type ProtoProblem, checkProblem } from './problem.ts';
import { type ProtoSettings, validateSettings } from './settings.ts';
import { embeddingStd } from './init.ts';
import { settle } from '../gpu/wait.ts';

export interface ProtoReport {
  /** Updates done when these metrics were read. */
  step: number;
  /** Per item: loss (nats, summed over positions) and correct tokens of the params evaluated at the last step. */
  loss: number[];
  correct: number[];
  /** Per item: the best so far and the step whose params achieved it. */
  bestCorrect: number[];
  bestLoss: number[];
  bestStep: number[];
  /** Argmax token at every scored position of every item (current params), [B][N]. */
  argmax: number[][];
}

/** A trainer's whole state after some step (see ProtoTrainer.snapshot); plain arrays, so it can be stored. */
export interface TrainerSnapshot {
  /** Steps done. */
  step: number;
  params: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  /** AdamW's step counter (the bias correction's t). */
  adamStep: number;
  bestCorrect: Uint32Array;
  bestLoss: Float32Array;
  bestStep: Uint32Array;
  bestParams: Float32Array;
}

export interface ProtoVectors {
  e: Float32Array;
  m: Float32Array;
}

/**
 * A batch of proto-token optimisations on the GPU. One step is one recorded Program:
 *   layout (params → inputs) → forward → keep best → backward → route gradients to params → AdamW
 * so stepping is one submission and never waits on the CPU; metrics are read back only when
 * `report()` is called, asynchronously.
 */
export class ProtoTrainer {
  readonly B: number;
  readonly N: number;
  readonly plan: LayoutPlan;
  readonly session: TransformerSession;
  private readonly owned: Tensor[] = [];
  private readonly params: Tensor;
  private readonly dparams: Tensor;
  private readonly stepT: Tensor;
  private readonly adamM: Tensor;
  private readonly adamV: Tensor;
  private readonly best: BestState;
  private readonly stepProgram: Program;
  private submitted = 0;

  private constructor(
    readonly model: Model,
    readonly problem: ProtoProblem,
    readonly settings: ProtoSettings,
    initStd: number,
  ) {
    validateSettings(settings);
    const N = (this.N = checkProblem(problem));
    const B = (this.B = problem.targets.length);
    const { gpu, spec } = model;
    const d = spec.hidden;
    const plan = (this.plan = planLayout(settings.layout, N, settings.firstTarget));
    const L = plan.length;
    if (L > spec.maxPositions) throw new Error(`The text needs ${L} input positions but the model takes at most ${spec.maxPositions}; use fewer tokens.`);
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.createTensor(shape, dtype, label);
      this.owned.push(x);
      return x;
    };
    this.session = new TransformerSession(model, { batch: B, seqLen: L, withGrad: true });

    // Which params row feeds each input row, and what each input row must predict.
    const index = new Uint32Array(B * L);
    const targets = new Uint32Array(B * L).fill(NONE);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < L; i++) {
        index[b * L + i] = plan.slots[i] === 0 ? problem.eRow[b] : problem.mRow[b];
        const ti = plan.targetIndex[i];
        if (ti >= 0) {
          const tok = problem.targets[b][ti];
          if (!Number.isInteger(tok) || tok < 0 || tok >= spec.vocabSize) throw new Error(`Token id ${tok} is outside this model's vocabulary (0..${spec.vocabSize - 1}).`);
          targets[b * L + i] = tok;
        }
      }
    }
    gpu.write(this.session.targets, targets);
    const indexT = t([B * L], 'layout_index', 'u32');
    gpu.write(indexT, index);
    const inv = invertIndex(index, problem.P);
    const offsets = t([problem.P + 1], 'layout_offsets', 'u32');
    const rowsOf = t([B * L], 'layout_rows_of', 'u32');
    gpu.write(offsets, inv.offsets);
    gpu.write(rowsOf, inv.rowsOf);

    this.params = t([problem.P, d], 'proto_params');
    gpu.write(this.params, initialParams(problem, d, initStd));
    this.dparams = t([problem.P, d], 'proto_grads');
    const adamM = (this.adamM = t([problem.P, d], 'adam_m'));
    const adamV = (this.adamV = t([problem.P, d], 'adam_v'));
    this.stepT = t([1], 'adam_step', 'u32');
    const mask = new Uint32Array(problem.P).fill(1);
    for (const row of problem.fixed.keys()) mask[row] = 0;
    const maskT = problem.fixed.size > 0 ? t([problem.P], 'row_mask', 'u32') : undefined;
    if (maskT) gpu.write(maskT, mask);

    const itemRows = t([B, 2], 'item_rows', 'u32');
    gpu.write(itemRows, Uint32Array.from(problem.eRow.flatMap((e, b) => [e, problem.mRow[b]])));
    this.best = {
      bestCorrect: t([B], 'best_correct', 'u32'),
      bestLoss: t([B], 'best_loss'),
      bestStep: t([B], 'best_step', 'u32'),
      improved: t([B], 'improved', 'u32'),
      bestParams: t([B, 2, d], 'best_params'),
    };
    gpu.write(this.best.bestStep, new Uint32Array(B).fill(NONE));

    const p = (this.stepProgram = new Program(gpu, 'proto_step'));
    const s = this.session;
    layoutForward(p, 'layout', { params: this.params, index: indexT, out: s.inputs, rows: B * L, dim: d });
    s.recordForward(p);
    trackBest(p, 'best', { ...this.best, itemCorrect: s.itemCorrect, itemLoss: s.itemLoss, step: this.stepT, params: this.params, rows: itemRows, B, K: 2, dim: d });
    s.recordBackward(p);
    layoutBackward(p, 'layout.bwd', { dout: s.dInputs!, offsets, rowsOf, dparams: this.dparams, P: problem.P, dim: d });
    adamwTick(p, 'adamw.tick', { step: this.stepT });
    adamwUpdate(p, 'adamw', {
      params: this.params,
      grads: this.dparams,
      m: adamM,
      v: adamV,
      step: this.stepT,
      n: problem.P * d,
      dim: d,
      rowMask: maskT,
      hyper: { lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps, weightDecay: settings.weightDecay },
    });
  }

  static async create(model: Model, problem: ProtoProblem, settings: ProtoSettings): Promise<ProtoTrainer> {
    const std = settings.init === 'embedding-std' ? await embeddingStd(model) : 1;
    // A real GPU reports running out of memory asynchronously, through an error scope, not by
    // throwing: catch it here so the user learns the size asked for and how to get under it.
    const gpu = model.gpu;
    const before = gpu.bytesAllocated;
    gpu.device.pushErrorScope('out-of-memory');
    let trainer: ProtoTrainer | undefined;
    try {
      trainer = new ProtoTrainer(model, problem, settings, std);
    } finally {
      const oom = await settle(gpu.device.popErrorScope());
      if (oom) {
        const asked = gpu.bytesAllocated - before;
        trainer?.destroy();
        const items = problem.targets.length;
        const longest = Math.max(...problem.targets.map((t) => t.length));
        throw new Error(
          `Optimising ${items} item${items === 1 ? '' : 's'} of up to ${longest} tokens needs ${formatBytes(asked)} of GPU memory, more than the device could give (${oom.message}). Use a shorter text, fewer restarts or texts in one batch, or a smaller model.`,
        );
      }
    }
    return trainer;
  }

  /** Steps submitted so far (the GPU may still be working on the last ones). */
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

  /** Metrics as of the last submitted step (waits only for the GPU to get there). */
  async report(): Promise<ProtoReport> {
    const step = this.submitted; // before the await: later submissions are not in this readback
    const s = this.session;
    const b = this.best;
    const [loss, correct, bc, bl, bs, argmax] = await this.model.gpu.readMany([s.itemLoss, s.itemCorrect, b.bestCorrect, b.bestLoss, b.bestStep, s.argmax]);
    const L = this.plan.length;
    const scored = [...this.plan.targetIndex].map((ti, i) => [ti, i] as const).filter(([ti]) => ti >= 0).sort((x, y) => x[0] - y[0]);
    return {
      step,
      loss: Array.from(loss),
      correct: Array.from(correct),
      bestCorrect: Array.from(bc),
      bestLoss: Array.from(bl),
      bestStep: Array.from(bs),
      argmax: Array.from({ length: this.B }, (_, item) => scored.map(([, i]) => argmax[item * L + i])),
    };
  }

  /** The current (e, m) of every item (after the last submitted step). */
  async currentVectors(): Promise<ProtoVectors[]> {
    const d = this.model.spec.hidden;
    const all = await this.model.gpu.read(this.params);
    return this.problem.eRow.map((e, b) => ({ e: all.slice(e * d, (e + 1) * d), m: all.slice(this.problem.mRow[b] * d, (this.problem.mRow[b] + 1) * d) }));
  }

  /**
   * The gradient of the summed loss with respect to every params row at the last executed step,
   * [P, d] flattened (the step's forward used the params as they were before that step's update).
   * Shows where each item's gradient is routed: a shared row holds the sum over its items.
   */
  async lastGradients(): Promise<Float32Array> {
    return this.model.gpu.read(this.dparams);
  }

  /** The best (e, m) of every item. */
  async bestVectors(): Promise<ProtoVectors[]> {
    const d = this.model.spec.hidden;
    const all = await this.model.gpu.read(this.best.bestParams);
    return Array.from({ length: this.B }, (_, b) => ({
      e: all.slice((2 * b) * d, (2 * b + 1) * d),
      m: all.slice((2 * b + 1) * d, (2 * b + 2) * d),
    }));
  }

  /**
   * Everything a later trainer needs to continue exactly where this one is (after the last
   * submitted step): the parameters, AdamW's moments and step counter, and the kept best. The
   * readback is queued now, so steps submitted while it is in flight are not in it.
   */
  async snapshot(): Promise<TrainerSnapshot> {
    const step = this.submitted;
    const b = this.best;
    const [params, adamM, adamV, adamStep, bestCorrect, bestLoss, bestStep, bestParams] = await this.model.gpu.readMany([
      this.params,
      this.adamM,
      this.adamV,
      this.stepT,
      b.bestCorrect,
      b.bestLoss,
      b.bestStep,
      b.bestParams,
    ]);
    return {
      step,
      params: params as Float32Array,
      adamM: adamM as Float32Array,
      adamV: adamV as Float32Array,
      adamStep: adamStep[0],
      bestCorrect: bestCorrect as Uint32Array,
      bestLoss: bestLoss as Float32Array,
      bestStep: bestStep as Uint32Array,
      bestParams: bestParams as Float32Array,
    };
  }

  /** Puts a snapshot of a trainer of the same model and problem back; continuing gives the same trajectory. */
  restore(snap: TrainerSnapshot): void {
    const d = this.model.spec.hidden;
    const { B } = this;
    const P = this.problem.P;
    const want: [string, ArrayLike<number>, number][] = [
      ['params', snap.params, P * d],
      ['adamM', snap.adamM, P * d],
      ['adamV', snap.adamV, P * d],
      ['bestCorrect', snap.bestCorrect, B],
      ['bestLoss', snap.bestLoss, B],
      ['bestStep', snap.bestStep, B],
      ['bestParams', snap.bestParams, B * 2 * d],
    ];
    for (const [name, a, n] of want) {
      if (a?.length !== n) throw new Error(`The checkpoint's ${name} has ${a?.length ?? 0} values but this run needs ${n}: it was saved for another model or text; start a new run instead.`);
    }
    if (!(Number.isInteger(snap.step) && snap.step >= 0 && snap.step <= this.settings.maxSteps)) {
      throw new Error(`The checkpoint is at step ${snap.step}, outside 0..${this.settings.maxSteps}: start a new run instead.`);
    }
    const gpu = this.model.gpu;
    gpu.write(this.params, Float32Array.from(snap.params));
    gpu.write(this.adamM, Float32Array.from(snap.adamM));
    gpu.write(this.adamV, Float32Array.from(snap.adamV));
    gpu.write(this.stepT, Uint32Array.of(snap.adamStep));
    gpu.write(this.best.bestCorrect, Uint32Array.from(snap.bestCorrect));
    gpu.write(this.best.bestLoss, Float32Array.from(snap.bestLoss));
    gpu.write(this.best.bestStep, Uint32Array.from(snap.bestStep));
    gpu.write(this.best.bestParams, Float32Array.from(snap.bestParams));
    this.submitted = snap.step;
  }

  destroy(): void {
    this.stepProgram.destroy();
    this.session.destroy();
    for (const x of this.owned) this.model.gpu.destroyTensor(x);
    this.owned.length = 0;
  }
}

/** Each item draws its e, then the m it owns (first item of its group), from its own seed. */
function initialParams(problem: ProtoProblem, d: number, std: number): Float32Array {
  const out = new Float32Array(problem.P * d);
  const filled = new Set<number>();
  problem.targets.forEach((_, b) => {
    const rng = new Rng(problem.seeds[b]);
    const e = rng.normalArray(d, std);
    const m = rng.normalArray(d, std);
    if (!filled.has(problem.eRow[b])) {
      out.set(e, problem.eRow[b] * d);
      filled.add(problem.eRow[b]);
    }
    if (!filled.has(problem.mRow[b])) {
      out.set(m, problem.mRow[b] * d);
      filled.add(problem.mRow[b]);
    }
  });
  for (const [row, v] of [...(problem.initial ?? []), ...problem.fixed]) {
    if (v.length !== d) throw new Error(`The fixed vector has width ${v.length} but this model's embeddings have width ${d}.`);
    out.set(v, row * d);
  }
  return out;
}
