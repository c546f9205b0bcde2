/**
 * Training an encoder on real texts (stories260k, PG-19 windows) lowers the one-pass loss of its
 * predictions on the texts it trained on, reproducibly from the seed; and the warm-start
 * measurement counts steps as sweep records do.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { sourceByName } from '../../src/datasets/node/sources.ts';
import { trainEncoder, type EncoderTrainOptions } from '../../src/encoder/train.ts';
import { predictAndScore } from '../../src/encoder/predict.ts';
import { stepsToSolve } from '../../src/encoder/warm-start.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

const N = 8;

describe('encoder training', () => {
  let model: Model;
  let texts: number[][];
  beforeAll(async () => {
    const source = nodeFolderSource(STORIES);
    model = await loadModel(await testGpu(), source);
    const tokenizer = await loadTokenizer(source);
    texts = (await sourceByName('pg19-windows').texts({ tokenizer, length: N, count: 40, seed: 3 })).map((t) => t.tokens);
  }, 60_000);

  const options = (steps: number): EncoderTrainOptions => ({
    features: { layer: 5, pool: 'flat', length: N, bos: 1 },
    hiddenWidth: 32,
    batch: 8,
    steps,
    lr: 3e-3,
    seed: 4,
    proto: { ...PAPER_SETTINGS, reportEvery: 10 },
    m: null,
    freezeM: false,
  });

  it('lowers the loss of its predictions on its training texts, and the same seed gives the same encoder', async () => {
    const train = texts.slice(0, 32);
    const untrained = await trainEncoder(model, train, train, options(1));
    const trained = await trainEncoder(model, train, train, options(60));
    const lossOf = (r: typeof trained) => r.heldOut.reduce((a, p) => a + p.loss, 0) / train.length;
    expect(lossOf(trained)).toBeLessThan(0.9 * lossOf(untrained));
    expect(trained.curve.map((p) => p.step)).toEqual([10, 20, 30, 40, 50, 60]);
    // The held-out figure is the scored predictions' mean correct fraction.
    expect(trained.heldOutAccuracy).toBeCloseTo(trained.heldOut.reduce((a, p) => a + p.correct, 0) / (train.length * N), 12);
    const again = await trainEncoder(model, train, train, options(60));
    expect(Array.from(again.encoder.theta)).toEqual(Array.from(trained.encoder.theta));
    expect(Array.from(again.encoder.m)).toEqual(Array.from(trained.encoder.m));
    // The scored prediction is what predictAndScore gives for the saved parts.
    const [p] = await predictAndScore(model, trained.encoder, [train[0]], PAPER_SETTINGS);
    expect(p.loss).toBeCloseTo(trained.heldOut[0].loss, 4);
  }, 120_000);

  it('refuses fewer texts than one batch', async () => {
    await expect(trainEncoder(model, texts.slice(0, 3), [], options(5))).rejects.toThrow(/3 training texts are fewer than one batch of 8/);
  });

  it('warm start: a run started from a solution is solved at the first report, an unsolvable budget gives null', async () => {
    const text = texts[0];
    const settings = { ...PAPER_SETTINGS, lr: 0.1, maxSteps: 300, reportEvery: 10 };
    const tr = await ProtoTrainer.create(model, singleText(text, 0), settings);
    const r = await optimise(tr);
    const [best] = await tr.bestVectors();
    tr.destroy();
    expect(r.last.bestCorrect[0]).toBe(N);
    const steps = await stepsToSolve(
      model,
      [
        { tokens: text, start: best, seed: 0 },
        { tokens: texts[1], start: null, seed: 0 },
      ],
      { ...PAPER_SETTINGS, maxSteps: 10, reportEvery: 10 },
    );
    expect(steps).toEqual([10, null]);
  }, 60_000);
});
