/**
 * Training the encoder end to end through the frozen model. One step, one submission:
 *
 *   X [B, F] (a batch's standardised features) → encoder (net.ts) → e rows 0..B-1 of the params table
 *   → [e_b, m, ..., m] through the frozen model → summed cross-entropy of every text
 *   → d e rows (the proto-token trainer's own backward) → encoder backward → AdamW on θ
 *   (and on m, unless m is frozen)
 *
 * The proto-token trainer is the ordinary one (prototokens/trainer.ts): B items sharing one m row,
 * their e rows frozen there (the encoder writes them every step), so the paper's optimiser still
 * trains m and the loss and accuracy are computed exactly as in a compress run.
 */
import type { Model } from '../model/model.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import type { ProtoReport } from '../prototokens/input-trainer.ts';
import type { ProtoProblem } from '../prototokens/problem.ts';
import type { AdamWHyper } from '../ops/adamw.ts';
import { ProtoTrainer } from '../prototokens/trainer.ts';
import { EncoderNet, hasMHead, type EncoderShape } from './net.ts';
import { Rng } from '../util/rng.ts';
import { addInPlace, scale } from '../ops/elementwise.ts';

export interface EncoderTrainerOptions {
  shape: EncoderShape;
  /** Starting θ (net.ts initialParams, or a saved encoder's). */
  theta: Float32Array;
  /** Texts per step. */
  batch: number;
  /** Tokens per text. */
  length: number;
  /** m's optimiser and the layout (the paper's settings); maxSteps bounds the steps. */
  proto: ProtoSettings;
  /** The shared m's start (drawn from proto.seed when null) and whether it stays fixed. */
  m: Float32Array | null;
  freezeM: boolean;
  /** The encoder's own AdamW. */
  hyper: AdamWHyper;
  /**
   * λ of an L2 penalty λ·‖v‖² on every vector the encoder predicts (default 0). Solutions found from
   * the paper's draw have norms of about 5-12 here; an unpenalised prediction drifts to twice that,
   * and AdamW's fixed-size steps then take long to bring a warm start back (docs/RESULTS.md).
   */
  normPenalty?: number;
}

/**
 * The params table the encoder writes into. Without an m head: B items, e rows 0..B-1 (frozen in
 * the table: the encoder writes them), one shared m row B. With one (output e | m, [B, 2d]): item
 * b's e and m are rows 2b and 2b+1, so the output's rows are exactly the table's first 2B rows,
 * every one written by the encoder.
 */
function encoderProblem(B: number, N: number, d: number, m: Float32Array | null, freezeM: boolean, seed: number, mHead: boolean): ProtoProblem {
  const zero = new Float32Array(d);
  const targets = Array.from({ length: B }, () => new Array<number>(N).fill(0));
  const seeds = Array.from({ length: B }, (_, b) => seed + b);
  if (mHead) {
    return { targets, seeds, eRow: seeds.map((_, b) => 2 * b), mRow: seeds.map((_, b) => 2 * b + 1), P: 2 * B, fixed: new Map(Array.from({ length: 2 * B }, (_, r) => [r, zero] as const)) };
  }
  const fixed = new Map<number, Float32Array>(Array.from({ length: B }, (_, b) => [b, zero] as const));
  const mStart = m ?? new Rng(seed).normalArray(d);
  if (freezeM) fixed.set(B, mStart);
  return {
    targets,
    seeds,
    eRow: Array.from({ length: B }, (_, b) => b),
    mRow: new Array<number>(B).fill(B),
    P: B + 1,
    fixed,
    initial: freezeM ? undefined : new Map([[B, mStart]]),
  };
}

export class EncoderTrainer {
  private constructor(
    readonly net: EncoderNet,
    readonly proto: ProtoTrainer,
    /** The batch's features first, then the penalty's scratch, if any. */
    private readonly owned: Tensor[],
    readonly opts: EncoderTrainerOptions,
  ) {}

  private get features(): Tensor {
    return this.owned[0];
  }

  static async create(model: Model, o: EncoderTrainerOptions): Promise<EncoderTrainer> {
    const { gpu, spec } = model;
    const d = spec.hidden;
    const mHead = hasMHead(o.shape, d);
    if (o.shape.outWidth !== d && !mHead) throw new Error(`The encoder makes vectors of width ${o.shape.outWidth} but this model's embeddings have width ${d} (${2 * d} with an m head).`);
    if (mHead && (o.m || o.freezeM)) throw new Error('An encoder with an m head predicts every m; it takes no universal m.');
    const net = new EncoderNet(gpu, o.shape, o.batch, o.theta);
    const features = gpu.createTensor([o.batch, o.shape.inWidth], 'f32', 'encoder.features');
    const lambda = o.normPenalty ?? 0;
    if (!(lambda >= 0)) throw new Error(`The norm penalty must be a number from 0, got ${o.normPenalty}.`);
    // The predicted vectors are the params table's first B·w values (rows 0..B-1, or 0..2B-1 with an m head).
    const predicted = o.batch * o.shape.outWidth;
    const penaltyGrad = lambda > 0 ? gpu.createTensor([predicted], 'f32', 'encoder.penalty_grad') : null;
    try {
      const problem = encoderProblem(o.batch, o.length, d, o.m, o.freezeM, o.proto.seed, mHead);
      const proto = await ProtoTrainer.create(model, problem, o.proto, {
        beforeLayout: (p, params) => net.recordForward(p, features, params),
        afterGradient: (p, dparams, params) => {
          if (penaltyGrad) {
            // d(λ‖v‖²)/dv = 2λv, added to the cross-entropy's gradient at the predicted rows.
            scale(p, 'encoder.penalty', { src: params, dst: penaltyGrad, n: predicted, s: 2 * lambda });
            addInPlace(p, 'encoder.penalty.add', { dst: dparams, src: penaltyGrad, n: predicted });
          }
          net.recordBackward(p, features, dparams);
          net.recordUpdate(p, o.hyper);
        },
      });
      return new EncoderTrainer(net, proto, [features, ...(penaltyGrad ? [penaltyGrad] : [])], o);
    } catch (e) {
      net.destroy();
      gpu.destroyTensor(features);
      if (penaltyGrad) gpu.destroyTensor(penaltyGrad);
      throw e;
    }
  }

  /** Queues one step on these texts ([B] of `length` tokens) with their standardised features [B·F]. */
  step(texts: readonly (readonly number[])[], features: Float32Array): void {
    if (features.length !== this.opts.batch * this.opts.shape.inWidth) throw new Error(`${features.length} feature values given for ${this.opts.batch} texts of ${this.opts.shape.inWidth}.`);
    this.proto.setTexts(texts);
    this.proto.model.gpu.write(this.features, features);
    this.proto.submitSteps(1);
  }

  /** Loss and correct tokens of the last step's batch, as encoded before that step's update. */
  report(): Promise<ProtoReport> {
    return this.proto.report();
  }

  /** The encoder's θ and the shared m after the last step (with an m head: the last batch's first m). */
  async state(): Promise<{ theta: Float32Array; m: Float32Array }> {
    const [theta, vectors] = await Promise.all([this.net.read(), this.proto.currentVectors()]);
    return { theta, m: vectors[0].m };
  }

  /** dLoss/dθ of the last step (before its update). */
  gradient(): Promise<Float32Array> {
    return this.proto.model.gpu.read(this.net.grad);
  }

  destroy(): void {
    this.proto.destroy();
    this.net.destroy();
    for (const t of this.owned) this.proto.model.gpu.destroyTensor(t);
  }
}
