/**
 * The one trainer core: a batch of input vectors optimised through the frozen model on the GPU.
 * Every method is a configuration of it (an InputPlan): proto-tokens (prototokens/trainer.ts: e
 * and m rows laid out as [e, m, ..., m]) and memory tokens (memory/trainer.ts: K rows before the
 * text's own token embeddings). One step is one recorded Program:
 *
 *   token rows (embedding gather, if any) + params rows (layout) → inputs [B·L, d]
 *   → forward → keep best → backward → dInputs routed back to params rows (layout backward) → AdamW
 *
 * so stepping is one submission and never waits on the CPU; metrics are read back only when
 * `report()` is called. The out-of-memory scope, snapshots and restore live here, so every method
 * has them.
 */
import { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Model } from '../model/model.ts';
import { TransformerSession, NONE } from '../model/transformer.ts';
import { layoutForward, layoutBackward, invertIndex } from '../ops/layout.ts';
import { embedTokens } from '../model/token-embedding.ts';
import { adamwTick, adamwUpdate } from '../ops/adamw.ts';
import { trackBest, type BestState } from '../ops/best.ts';
import { withOomScope } from '../gpu/oom-scope.ts';
import type { Alloc } from '../model/session-buffers.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';

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

/** A trainer's whole state after some step (see InputTrainer.snapshot); plain arrays, so it can be stored. */
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

/** The optimiser's settings every method shares. */
export type OptimiserSettings = Pick<ProtoSettings, 'lr' | 'beta1' | 'beta2' | 'eps' | 'weightDecay' | 'maxSteps' | 'reportEvery' | 'patience'>;

/**
 * What a method decides; the core does the rest. Input row b·L + i is params row index[b·L + i],
 * or, where that is NONE, the embedding of token tokenIds[b·L + i] (a frozen input: no gradient
 * is routed from it). Position b·L + i is scored against targets[b·L + i] (NONE: not scored).
 */
export interface InputPlan {
  /** Names the GPU buffers and the step program ('proto', 'mem'). */
  label: string;
  /** Items, input positions per item, tokens scored per item. */
  B: number;
  L: number;
  N: number;
  /** Rows of the params table [P, d]. */
  P: number;
  index: Uint32Array;
  tokenIds?: Uint32Array;
  targets: Uint32Array;
  /** [B, R]: each item's own params rows, kept together as its best. */
  itemRows: Uint32Array;
  rowsPerItem: number;
  /** [P·d] starting values. */
  initial: Float32Array;
  /** Rows that are not trained (a reused m); none when omitted. */
  frozenRows?: readonly number[];
  /** The scored input positions of one item in text order (the report's argmax order). */
  scored: readonly number[];
  /** Something that writes params rows before each step's layout and reads their gradient after it (the learned encoder). */
  hooks?: StepHooks;
}

/** Recorded into the step program around the core: before the layout gathers params rows, and once dparams holds their gradient. */
export interface StepHooks {
  beforeLayout(p: Program, params: Tensor): void;
  afterGradient(p: Program, dparams: Tensor, params: Tensor): void;
}

/** Refuses a token id the model has no embedding or output row for (before ids are packed as u32). */
export function checkTokenIds(texts: readonly (readonly number[])[], vocabSize: number): void {
  for (const text of texts) {
    for (const tok of text) {
      if (!Number.isInteger(tok) || tok < 0 || tok >= vocabSize) throw new Error(`Token id ${tok} is outside this model's vocabulary (0..${vocabSize - 1}).`);
    }
  }
}

/** What sizes a trainer's own buffers (besides its session's). */
export interface TrainerDims {
  B: number;
  L: number;
  P: number;
  d: number;
  rowsPerItem: number;
  /** Some params rows are frozen (a row mask is kept). */
  frozen: boolean;
  /** Some input rows are token embeddings (their ids are kept). */
  tokens: boolean;
}

/**
 * The trainer's own buffers: the layout maps, the params table with its gradient and AdamW moments,
 * the kept best. The constructor allocates exactly these and memory plans count them through the
 * same function (model/session-buffers.ts countingAlloc).
 */
export function trainerBuffers(x: TrainerDims, t: Alloc) {
  const { B, L, P, d } = x;
  return {
    index: t([B * L], 'layout_index', 'u32'),
    offsets: t([P + 1], 'layout_offsets', 'u32'),
    rowsOf: t([B * L], 'layout_rows_of', 'u32'),
    params: t([P, d], 'params'),
    dparams: t([P, d], 'grads'),
    adamM: t([P, d], 'adam_m'),
    adamV: t([P, d], 'adam_v'),
    step: t([1], 'adam_step', 'u32'),
    rowMask: x.frozen ? t([P], 'row_mask', 'u32') : undefined,
    itemRows: t([B, x.rowsPerItem], 'item_rows', 'u32'),
    best: {
      bestCorrect: t([B], 'best_correct', 'u32'),
      bestLoss: t([B], 'best_loss'),
      bestStep: t([B], 'best_step', 'u32'),
      improved: t([B], 'improved', 'u32'),
      bestParams: t([B, x.rowsPerItem, d], 'best_params'),
    } satisfies BestState,
    tokenIds: x.tokens ? t([B * L], 'token_ids', 'u32') : undefined,
  };
}

export abstract class InputTrainer<V> {
  readonly B: number;
  readonly N: number;
  readonly session: TransformerSession;
  private readonly owned: Tensor[] = [];
  private readonly params: Tensor;
  private readonly dparams: Tensor;
  private readonly stepT: Tensor;
  private readonly adamM: Tensor;
  private readonly adamV: Tensor;
  private readonly best: BestState;
  private readonly stepProgram: Program;
  private readonly P: number;
  private readonly L: number;
  private readonly rowsPerItem: number;
  private readonly scored: readonly number[];
  private submitted = 0;

  protected constructor(
    readonly model: Model,
    plan: InputPlan,
    readonly settings: OptimiserSettings,
  ) {
    const { gpu, spec } = model;
    const d = spec.hidden;
    const { B, L, N, P, label } = plan;
    this.B = B;
    this.N = N;
    this.P = P;
    this.L = L;
    this.rowsPerItem = plan.rowsPerItem;
    this.scored = plan.scored;
    this.session = new TransformerSession(model, { batch: B, seqLen: L, withGrad: true });
    const made = trainerBuffers({ B, L, P, d, rowsPerItem: plan.rowsPerItem, frozen: (plan.frozenRows?.length ?? 0) > 0, tokens: !!plan.tokenIds }, (shape, name, dtype = 'f32') => {
      const x = gpu.createTensor(shape, dtype, `${label}.${name}`);
      this.owned.push(x);
      return x;
    });
    gpu.write(this.session.targets, plan.targets);
    const { index: indexT, offsets, rowsOf, rowMask, itemRows } = made;
    gpu.write(indexT, plan.index);
    const inv = invertIndex(plan.index, P);
    gpu.write(offsets, inv.offsets);
    gpu.write(rowsOf, inv.rowsOf);
    this.params = made.params;
    gpu.write(this.params, plan.initial);
    this.dparams = made.dparams;
    this.adamM = made.adamM;
    this.adamV = made.adamV;
    this.stepT = made.step;
    if (rowMask) {
      const mask = new Uint32Array(P).fill(1);
      for (const row of plan.frozenRows!) mask[row] = 0;
      gpu.write(rowMask, mask);
    }
    gpu.write(itemRows, plan.itemRows);
    this.best = made.best;
    gpu.write(this.best.bestStep, new Uint32Array(B).fill(NONE));

    const p = (this.stepProgram = new Program(gpu, `${label}_step`));
    const s = this.session;
    if (plan.tokenIds) {
      const idsT = made.tokenIds!;
      gpu.write(idsT, plan.tokenIds);
      // Rebuilt every step, so nothing depends on the session leaving its input buffer alone.
      embedTokens(p, `${label}.embed`, model, idsT, s.inputs, B * L);
    }
    plan.hooks?.beforeLayout(p, this.params);
    layoutForward(p, `${label}.layout`, { params: this.params, index: indexT, out: s.inputs, rows: B * L, dim: d });
    s.recordForward(p);
    trackBest(p, `${label}.best`, { ...this.best, itemCorrect: s.itemCorrect, itemLoss: s.itemLoss, step: this.stepT, params: this.params, rows: itemRows, B, K: plan.rowsPerItem, dim: d });
    s.recordBackward(p);
    layoutBackward(p, `${label}.layout.bwd`, { dout: s.dInputs!, offsets, rowsOf, dparams: this.dparams, P, dim: d });
    plan.hooks?.afterGradient(p, this.dparams, this.params);
    adamwTick(p, `${label}.adamw.tick`, { step: this.stepT });
    adamwUpdate(p, `${label}.adamw`, {
      params: this.params,
      grads: this.dparams,
      m: this.adamM,
      v: this.adamV,
      step: this.stepT,
      n: P * d,
      dim: d,
      rowMask,
      hyper: { lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps, weightDecay: settings.weightDecay },
    });
  }

  /** New targets [B·L] (NONE: not scored) for the next submitted steps: another batch of texts of the same shape. */
  protected writeTargets(targets: Uint32Array): void {
    if (targets.length !== this.B * this.L) throw new Error(`${targets.length} targets given for ${this.B} items of ${this.L} positions.`);
    this.model.gpu.write(this.session.targets, targets);
  }

  /** Item vectors from the params table [P·d] (currentVectors). */
  protected abstract fromParams(all: Float32Array): V[];
  /** Item vectors from the kept best [B, R, d] (bestVectors). */
  protected abstract fromBest(all: Float32Array): V[];

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
    const L = this.L;
    return {
      step,
      loss: Array.from(loss),
      correct: Array.from(correct),
      bestCorrect: Array.from(bc),
      bestLoss: Array.from(bl),
      bestStep: Array.from(bs),
      argmax: Array.from({ length: this.B }, (_, item) => this.scored.map((i) => argmax[item * L + i])),
    };
  }

  /** Every item's vectors after the last submitted step. */
  async currentVectors(): Promise<V[]> {
    return this.fromParams(await this.model.gpu.read(this.params));
  }

  /** Every item's best vectors. */
  async bestVectors(): Promise<V[]> {
    return this.fromBest(await this.model.gpu.read(this.best.bestParams));
  }

  /**
   * The gradient of the summed loss with respect to every params row at the last executed step,
   * [P, d] flattened (the step's forward used the params as they were before that step's update).
   * Shows where each item's gradient is routed: a shared row holds the sum over its items.
   */
  async lastGradients(): Promise<Float32Array> {
    return this.model.gpu.read(this.dparams);
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
    const { B, P } = this;
    const want: [string, ArrayLike<number>, number][] = [
      ['params', snap.params, P * d],
      ['adamM', snap.adamM, P * d],
      ['adamV', snap.adamV, P * d],
      ['bestCorrect', snap.bestCorrect, B],
      ['bestLoss', snap.bestLoss, B],
      ['bestStep', snap.bestStep, B],
      ['bestParams', snap.bestParams, B * this.rowsPerItem * d],
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

/** A trainer built inside the out-of-memory scope (gpu/oom-scope.ts), refused with the items, tokens and bytes asked for. */
export async function allocateTrainer<T extends { destroy(): void }>(model: Model, targets: readonly (readonly number[])[], build: () => T): Promise<T> {
  const items = targets.length;
  const longest = Math.max(...targets.map((t) => t.length));
  // The step's pipelines compile side by side where the platform can (most of a first step's time on a CPU adapter).
  let compiled: Promise<void> = Promise.resolve();
  const made = await withOomScope(
    model.gpu,
    () => {
      const built = model.gpu.deferCompiles(build);
      compiled = built.compiled;
      return built.made;
    },
    (asked, why) =>
      `Optimising ${items} item${items === 1 ? '' : 's'} of up to ${longest} tokens needs ${asked} of GPU memory, more than the device could give (${why}). Use a shorter text, fewer restarts or texts in one batch, or a smaller model.`,
  );
  try {
    await compiled;
  } catch (e) {
    made.destroy();
    throw e;
  }
  return made;
}
