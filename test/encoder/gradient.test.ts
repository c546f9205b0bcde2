/**
 * The encoder's whole training gradient: dLoss/dθ from the GPU step (encoder → e rows → frozen
 * stories260k → cross-entropy → back through the model and the encoder) against float64 finite
 * differences of the same loss computed by the independent reference model
 * (src/reference/model.ts) and the encoder's reference forward. Real weights, real text features.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadReferenceModel, NONE, type ReferenceModel } from '../../src/reference/model.ts';
import { encoderForwardRef } from '../../src/reference/encoder.ts';
import { EncoderTrainer } from '../../src/encoder/trainer.ts';
import { featureStats, featureWidth, standardise, textFeatures, type FeatureSpec } from '../../src/encoder/features.ts';
import { initialParams, paramLayout, type EncoderShape } from '../../src/encoder/net.ts';
import { planLayout } from '../../src/shared/layouts.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

const TEXTS = [
  [403, 407, 261, 378, 383, 286],
  [261, 376, 397, 259, 292, 409],
  [300, 301, 302, 303, 304, 305],
];
const N = 6;

describe('encoder gradient through the frozen model', () => {
  let model: Model;
  let ref: ReferenceModel;
  beforeAll(async () => {
    const gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    ref = await loadReferenceModel(nodeFolderSource(STORIES));
  });

  /** Σ over texts of the summed cross-entropy of [e_b, m_b, ..., m_b] in float64: e_b = f(x_b; θ) and the shared m, or (m head) e_b | m_b = f(x_b; θ). */
  function refLoss(shape: EncoderShape, theta: ArrayLike<number>, X: Float32Array, shared: Float32Array, penalty: number): number {
    const d = model.spec.hidden;
    const w = shape.outWidth;
    const E = encoderForwardRef(shape, theta, X, TEXTS.length).out;
    // The norm penalty λ·‖v‖² on every predicted vector.
    let total = penalty * E.reduce((a, x) => a + x * x, 0);
    const plan = planLayout(PAPER_SETTINGS.layout, N, PAPER_SETTINGS.firstTarget);
    TEXTS.forEach((text, b) => {
      const inputs = new Float64Array(plan.length * d);
      const targets = new Uint32Array(plan.length).fill(NONE);
      for (let i = 0; i < plan.length; i++) {
        const m = w === 2 * d ? E.subarray(b * w + d, (b + 1) * w) : shared;
        inputs.set(plan.slots[i] === 0 ? E.subarray(b * w, b * w + d) : m, i * d);
        if (plan.targetIndex[i] >= 0) targets[i] = text[plan.targetIndex[i]];
      }
      total += ref.forward(inputs, targets).lossSum;
    });
    return total;
  }

  for (const [name, features, hiddenWidth, mHead, penalty] of [
    ['MLP over flat final hidden states', { layer: 5, pool: 'flat', length: N, bos: 1 }, 8, false, 0],
    ['linear map over the mean of layer 2', { layer: 2, pool: 'mean', length: N, bos: null }, 0, false, 0],
    ['MLP with an m head (e and m per text)', { layer: 4, pool: 'mean-last', length: N, bos: 1 }, 8, true, 0],
    ['MLP with a norm penalty on the predicted e', { layer: 5, pool: 'flat', length: N, bos: 1 }, 8, false, 0.3],
    ['m head with a norm penalty on e and m', { layer: 5, pool: 'mean', length: N, bos: 1 }, 8, true, 0.3],
  ] as [string, FeatureSpec, number, boolean, number][]) {
    it(`${name}: the GPU's dθ matches finite differences of the float64 loss`, async () => {
      const d = model.spec.hidden;
      const F = featureWidth(features, d);
      const X = await textFeatures(model, TEXTS, features);
      standardise(X, featureStats(X, F));
      const shape = { inWidth: F, hiddenWidth, outWidth: mHead ? 2 * d : d };
      const theta = initialParams(shape, 5, 1);
      const m = new Rng(9).normalArray(d);
      const tr = await EncoderTrainer.create(model, {
        shape,
        theta,
        batch: TEXTS.length,
        length: N,
        proto: { ...PAPER_SETTINGS, maxSteps: 1 },
        m: mHead ? null : m,
        freezeM: !mHead,
        hyper: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
        normPenalty: penalty,
      });
      tr.step(TEXTS, X);
      const [grad, rep] = await Promise.all([tr.gradient(), tr.report()]);
      tr.destroy();
      // The step's own cross-entropy is the reference's at the starting θ.
      const L0 = refLoss(shape, theta, X, m, 0);
      expect(Math.abs(rep.loss.reduce((a, x) => a + x, 0) - L0) / L0).toBeLessThan(1e-4);
      // Directional derivatives along random directions, and single coordinates of every piece.
      const rng = new Rng(21);
      const h = 1e-4;
      const th = Float64Array.from(theta);
      const dirs: Float64Array[] = [0, 1, 2].map(() => Float64Array.from(rng.normalArray(th.length)));
      const L = paramLayout(shape);
      for (const piece of [L.w1, L.b1, L.w2, L.b2].filter((s) => s !== null)) {
        const unit = new Float64Array(th.length);
        unit[piece.offset + rng.int(piece.size)] = 1;
        dirs.push(unit);
      }
      for (const v of dirs) {
        const plus = refLoss(shape, th.map((x, i) => x + h * v[i]), X, m, penalty);
        const minus = refLoss(shape, th.map((x, i) => x - h * v[i]), X, m, penalty);
        const fd = (plus - minus) / (2 * h);
        const gpu = v.reduce((a, vi, i) => a + vi * grad[i], 0);
        const scale = Math.sqrt(v.reduce((a, vi, i) => a + (vi * grad[i]) ** 2, 0)) + Math.abs(fd);
        expect(Math.abs(gpu - fd) / scale).toBeLessThan(2e-3);
      }
    });
  }
});
