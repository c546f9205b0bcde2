import { Program } from '../../gpu/program.ts';
import type { Tensor } from '../../gpu/tensor.ts';
import type { Model } from '../../model/model.ts';
import { TransformerSession, NONE } from '../../model/transformer.ts';
import { layoutForward, layoutBackward, invertIndex } from '../../ops/layout.ts';
import { planLayout, type FirstTarget, type LayoutName, type LayoutPlan } from '../../shared/layouts.ts';
import type { FlatPoint } from '../path.ts';
import { withOomScope } from '../../gpu/oom-scope.ts';

/** What every point of a path is scored against: one text laid out one way. */
export interface PathTarget {
  layout: LayoutName;
  firstTarget: FirstTarget;
  /** The text's tokens (the endpoints' shared text). */
  targets: number[];
}

export interface PointResult {
  /** Summed cross-entropy over the text's N positions (nats). */
  loss: number;
  /** Positions whose one-pass argmax is the text's token. */
  correct: number;
  /** One-pass argmax at every text position, in text order. */
  argmax: number[];
  /** d loss / d [e | m] at the point (withGrad only): e's gradient, then the sum over m's positions. */
  grad: Float64Array | null;
}

/**
 * Evaluates many points of a path at once: every point is one item of the engine's batch
 * dimension with its own e and m rows, so R points cost ceil(R / batch) forward passes, not R.
 * With gradients, the backward pass routes d loss / d inputs to each item's e and m rows on the
 * GPU (layoutBackward), so only 2·d values per point come back.
 */
export class PathEvaluator {
  readonly batch: number;
  readonly plan: LayoutPlan;
  readonly N: number;
  private readonly session: TransformerSession;
  private readonly owned: Tensor[] = [];
  private readonly params: Tensor;
  private readonly dparams: Tensor | null = null;
  private readonly program: Program;
  private readonly scored: [textIndex: number, position: number][];

  /** Built inside the out-of-memory scope: refused with the points and bytes asked for, and how to get under them. */
  static create(model: Model, target: PathTarget, opts: { batch: number; withGrad: boolean }): Promise<PathEvaluator> {
    return withOomScope(model.gpu, () => new PathEvaluator(model, target, opts), (asked, why) =>
      `Evaluating ${opts.batch} point${opts.batch === 1 ? '' : 's'} of the path at once needs ${asked} of GPU memory, more than the device could give (${why}). Use fewer scan points or tau samples per step, or a smaller model.`,
    );
  }

  private constructor(
    readonly model: Model,
    readonly target: PathTarget,
    opts: { batch: number; withGrad: boolean },
  ) {
    const { gpu, spec } = model;
    const d = spec.hidden;
    const B = (this.batch = opts.batch);
    if (!Number.isInteger(B) || B < 1) throw new Error(`The path batch must be a positive whole number of points, got ${B}.`);
    const N = (this.N = target.targets.length);
    if (N === 0) throw new Error('The text of the pair has no tokens; pick solutions of a non-empty text.');
    for (const tok of target.targets) {
      if (!Number.isInteger(tok) || tok < 0 || tok >= spec.vocabSize) throw new Error(`Token id ${tok} is outside this model's vocabulary (0..${spec.vocabSize - 1}); the solutions belong to another model.`);
    }
    const plan = (this.plan = planLayout(target.layout, N, target.firstTarget));
    const L = plan.length;
    if (L > spec.maxPositions) throw new Error(`The text needs ${L} input positions but the model takes at most ${spec.maxPositions}.`);
    this.scored = [...plan.targetIndex].map((ti, i) => [ti, i] as [number, number]).filter(([ti]) => ti >= 0).sort((x, y) => x[0] - y[0]);
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.createTensor(shape, dtype, label);
      this.owned.push(x);
      return x;
    };
    this.session = new TransformerSession(model, { batch: B, seqLen: L, withGrad: opts.withGrad });
    const index = new Uint32Array(B * L);
    const targets = new Uint32Array(B * L).fill(NONE);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < L; i++) {
        index[b * L + i] = 2 * b + plan.slots[i];
        if (plan.targetIndex[i] >= 0) targets[b * L + i] = target.targets[plan.targetIndex[i]];
      }
    }
    gpu.write(this.session.targets, targets);
    const indexT = t([B * L], 'path_index', 'u32');
    gpu.write(indexT, index);
    this.params = t([2 * B, d], 'path_points');
    const p = (this.program = new Program(gpu, 'path_eval'));
    layoutForward(p, 'layout', { params: this.params, index: indexT, out: this.session.inputs, rows: B * L, dim: d });
    this.session.recordForward(p);
    if (opts.withGrad) {
      const inv = invertIndex(index, 2 * B);
      const offsets = t([2 * B + 1], 'path_offsets', 'u32');
      const rowsOf = t([B * L], 'path_rows_of', 'u32');
      gpu.write(offsets, inv.offsets);
      gpu.write(rowsOf, inv.rowsOf);
      this.dparams = t([2 * B, d], 'path_grads');
      this.session.recordBackward(p);
      layoutBackward(p, 'layout.bwd', { dout: this.session.dInputs!, offsets, rowsOf, dparams: this.dparams, P: 2 * B, dim: d });
    }
  }

  /** Loss, correct tokens, argmax (and gradient) at every point, in order. */
  async evaluate(points: readonly FlatPoint[]): Promise<PointResult[]> {
    const d = this.model.spec.hidden;
    const out: PointResult[] = [];
    for (const p of points) if (p.length !== 2 * d) throw new Error(`A path point has ${p.length} values but this model needs ${2 * d} (e and m of width ${d}).`);
    for (let start = 0; start < points.length; start += this.batch) {
      const chunk = points.slice(start, start + this.batch);
      const buf = new Float32Array(2 * this.batch * d);
      // Unused items of a last, short chunk repeat its last point; their results are dropped.
      for (let b = 0; b < this.batch; b++) buf.set(chunk[Math.min(b, chunk.length - 1)], 2 * b * d);
      this.model.gpu.write(this.params, buf);
      this.program.run();
      const s = this.session;
      const want: Tensor[] = [s.itemLoss, s.itemCorrect, s.argmax, ...(this.dparams ? [this.dparams] : [])];
      const [loss, correct, argmax, grads] = await this.model.gpu.readMany(want);
      const L = this.plan.length;
      for (let b = 0; b < chunk.length; b++) {
        out.push({
          loss: loss[b],
          correct: correct[b],
          argmax: this.scored.map(([, i]) => argmax[b * L + i]),
          grad: grads ? Float64Array.from(grads.subarray(2 * b * d, 2 * (b + 1) * d)) : null,
        });
      }
    }
    return out;
  }

  destroy(): void {
    this.program.destroy();
    this.session.destroy();
    for (const x of this.owned) this.model.gpu.destroyTensor(x);
    this.owned.length = 0;
  }
}
