/**
 * `protolab encoder train` without the command line: features of every text once, then minibatch
 * steps of EncoderTrainer over the training texts (reshuffled every epoch from the seed), then the
 * held-out texts scored with the final encoder and m.
 */
import type { Model } from '../model/model.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import { Rng } from '../util/rng.ts';
import { featureStats, featureWidth, standardise, textFeatures, type FeatureSpec } from './features.ts';
import { initialParams, type EncoderShape } from './net.ts';
import { EncoderTrainer } from './trainer.ts';
import { predictAndScore, predictFromFeatures, type Prediction } from './predict.ts';
import type { EncoderParts } from './file.ts';

export interface EncoderTrainOptions {
  features: FeatureSpec;
  /** Hidden units of the MLP; 0: linear. */
  hiddenWidth: number;
  batch: number;
  steps: number;
  /** The encoder's AdamW learning rate (m trains with proto's settings). */
  lr: number;
  seed: number;
  proto: ProtoSettings;
  /** A universal m to start from (or keep, with freezeM); null: m drawn and trained jointly. */
  m: Float32Array | null;
  freezeM: boolean;
  /** An m head: the encoder predicts each text's m too (no universal m). */
  predictM?: boolean;
  /** λ of the L2 penalty on the predicted vectors (trainer.ts normPenalty). */
  normPenalty?: number;
}

export interface CurvePoint {
  step: number;
  /** Mean over the batch: loss per token (nats) and correct fraction, of the prediction before that step's update. */
  loss: number;
  accuracy: number;
}

export interface EncoderTrainRun {
  encoder: EncoderParts;
  curve: CurvePoint[];
  /** Mean correct fraction over the last tenth of the reported batches. */
  trainAccuracy: number;
  heldOut: Prediction[];
  heldOutAccuracy: number;
  seconds: number;
}

export async function trainEncoder(model: Model, train: number[][], heldOut: number[][], o: EncoderTrainOptions, onReport?: (p: CurvePoint) => void): Promise<EncoderTrainRun> {
  const t0 = performance.now();
  const N = o.features.length;
  const B = o.batch;
  if (train.length < B) throw new Error(`${train.length} training texts are fewer than one batch of ${B}; use more texts or a smaller --batch.`);
  const d = model.spec.hidden;
  const F = featureWidth(o.features, d);
  const X = await textFeatures(model, train, o.features);
  const stats = featureStats(X, F);
  standardise(X, stats);
  const shape: EncoderShape = { inWidth: F, hiddenWidth: o.hiddenWidth, outWidth: o.predictM ? 2 * d : d };
  const trainer = await EncoderTrainer.create(model, {
    shape,
    theta: initialParams(shape, o.seed, 1),
    batch: B,
    length: N,
    proto: { ...o.proto, maxSteps: o.steps },
    m: o.m,
    freezeM: o.freezeM,
    hyper: { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
    normPenalty: o.normPenalty,
  });
  const curve: CurvePoint[] = [];
  let theta: Float32Array;
  let m: Float32Array;
  try {
    const rng = new Rng(o.seed);
    let order: number[] = [];
    const every = Math.max(1, o.proto.reportEvery);
    const batchX = new Float32Array(B * F);
    for (let step = 1; step <= o.steps; step++) {
      if (order.length < B) order = shuffled(train.length, rng);
      const idx = order.splice(0, B);
      idx.forEach((k, b) => batchX.set(X.subarray(k * F, (k + 1) * F), b * F));
      trainer.step(idx.map((k) => train[k]), batchX);
      if (step % every === 0 || step === o.steps) {
        const r = await trainer.report();
        const point = { step, loss: r.loss.reduce((a, x) => a + x, 0) / (B * N), accuracy: r.correct.reduce((a, x) => a + x, 0) / (B * N) };
        curve.push(point);
        onReport?.(point);
      }
    }
    ({ theta, m } = await trainer.state());
  } finally {
    trainer.destroy();
  }
  // With an m head, the file's m is what it predicts for the mean text (standardised features 0).
  if (o.predictM) m = (await predictFromFeatures(model, { shape, features: o.features, stats, theta, m }, new Float32Array(F)))[0].slice(d);
  const encoder = { shape, features: o.features, stats, theta, m };
  const tail = curve.slice(-Math.max(1, Math.ceil(curve.length / 10)));
  const scored = heldOut.length ? await predictAndScore(model, encoder, heldOut, o.proto) : [];
  return {
    encoder,
    curve,
    trainAccuracy: tail.reduce((a, p) => a + p.accuracy, 0) / tail.length,
    heldOut: scored,
    heldOutAccuracy: scored.length ? scored.reduce((a, p) => a + p.correct, 0) / (scored.length * N) : NaN,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** 0..n-1 in a random order (Fisher-Yates). */
function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
