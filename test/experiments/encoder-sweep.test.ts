/**
 * Issue 19 §1: the encoder init in a sweep. Every attempt starts from the encoder's prediction for
 * its text (the same for each seed), its records say init 'encoder' with the encoder's hash in the
 * key, and a sweep it cannot serve is refused. stories260k, PG-19 windows of 8 tokens, an encoder
 * trained here for a few steps.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { sourceByName } from '../../src/datasets/node/sources.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { runSweep, sweepKey, type SweepOptions } from '../../src/experiments/jobs/sweep.ts';
import { memoryStore, sweepId } from '../../src/experiments/records.ts';
import { memoryMethod } from '../../src/experiments/jobs/methods.ts';
import { initLabel } from '../../src/experiments/report.ts';
import { trainEncoder } from '../../src/encoder/train.ts';
import { predictAndScore } from '../../src/encoder/predict.ts';
import type { EncoderParts } from '../../src/encoder/file.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

const N = 8;

describe('a sweep from an encoder', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  let enc: EncoderParts;
  let base: Omit<SweepOptions, 'store'>;

  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
    const train = (await sourceByName('pg19-windows').texts({ tokenizer, length: N, count: 16, seed: 1 })).map((t) => t.tokens);
    enc = (await trainEncoder(model, train, [], { features: { layer: 5, pool: 'mean', length: N, bos: 1 }, hiddenWidth: 16, batch: 8, steps: 10, lr: 3e-3, seed: 0, proto: PAPER_SETTINGS, m: null, freezeM: false })).encoder;
    base = { model, tokenizer, source: sourceByName('pg19'), texts: 2, seeds: 2, lengths: [N], keepGoing: true, init: 'encoder', encoder: enc, settings: { ...PAPER_SETTINGS, maxSteps: 1, reportEvery: 1 } };
  }, 60_000);

  it('every seed starts from the prediction: after one step each has what the prediction alone gets right', async () => {
    const store = memoryStore();
    const r = await runSweep({ ...base, store });
    expect(r.records).toHaveLength(2);
    const preds = await predictAndScore(model, enc, r.records.map((x) => x.tokens), PAPER_SETTINGS);
    r.records.forEach((rec, i) => expect(rec.correct).toEqual([preds[i].correct, preds[i].correct]));
    expect(r.records.every((x) => x.init === 'encoder' && typeof x.encoder === 'string')).toBe(true);
    expect(initLabel(r.records[0])).toBe(', from the encoder');
  });

  it('the encoder is part of the key, and a sweep it cannot serve is refused', async () => {
    const other = { ...enc, theta: enc.theta.map((x) => x + 1e-3) };
    expect(sweepId(sweepKey({ ...base }))).not.toBe(sweepId(sweepKey({ ...base, encoder: other })));
    await expect(runSweep({ ...base, lengths: [4, 8], store: memoryStore() })).rejects.toThrow(/encodes texts of 8 tokens: run the sweep at --lengths 8 only/);
    await expect(runSweep({ ...base, init: 'normal', store: memoryStore() })).rejects.toThrow(/An encoder was given, but the sweep's init is normal/);
    await expect(runSweep({ ...base, method: memoryMethod(), store: memoryStore() })).rejects.toThrow(/memory-token method has none/);
    await expect(runSweep({ ...base, encoder: undefined, store: memoryStore() })).rejects.toThrow(/init encoder needs an encoder/);
  });
});
