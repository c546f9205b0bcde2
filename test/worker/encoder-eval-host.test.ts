import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { sourceByName } from '../../src/datasets/node/sources.ts';
import { trainEncoder } from '../../src/encoder/train.ts';
import { encodeEncoder, encoderMeta } from '../../src/encoder/file.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import type { EncoderEvalSpec } from '../../src/shared/encoder-eval-spec.ts';
import { ExperimentHost } from '../../src/worker/experiment-host.ts';
import type { ExperimentFromWorker } from '../../src/worker/experiment-protocol.ts';
import { memoryStore } from '../../src/experiments/records.ts';
import type { BrowserRecordStore } from '../../src/experiments/idb-store.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// The Experiments view's encoder measurement in the worker's experiment host, on stories260k with
// a tiny encoder trained here (20 steps, batch 8, texts of 8 tokens): zero-shot and warm start,
// cancel during the warm start, and refusals, each ending in one encoderEvalDone.

const N = 8;
const FILES = [
  'Once upon a time there was a little girl named Lily. She liked to play outside.',
  'One day the sun was hot and the boy went to the park with his mom to play.',
  'Tom had a big red ball. He threw it to his dog and the dog ran after it.',
].map((text, i) => ({ name: `story-${i}.txt`, text }));

const SPEC: EncoderEvalSpec = { source: 'files', files: FILES, texts: 3, seeds: 1, textSeed: 0, steps: 60, lr: 0.1, layout: 'e,m*(N-1)', firstTarget: 'e', warmStart: true };

type Done = Extract<ExperimentFromWorker, { type: 'encoderEvalDone' }>;

function harness() {
  const posts: ExperimentFromWorker[] = [];
  const waiters: (() => void)[] = [];
  const m = memoryStore();
  const store: BrowserRecordStore = { ...m, load: async () => m.load(), append: async (r) => m.append(r), clear: async () => undefined, jsonl: async () => '', close: () => undefined };
  const host = new ExperimentHost((msg) => {
    posts.push(msg);
    waiters.splice(0).forEach((w) => w());
  }, 'http://unused/data/', async () => store);
  const until = <T extends ExperimentFromWorker>(ok: (m: ExperimentFromWorker) => m is T) =>
    new Promise<T>((resolve) => {
      const check = () => {
        const hit = posts.find(ok);
        if (hit) resolve(hit);
        else waiters.push(check);
      };
      check();
    });
  return { host, posts, until };
}

const isDone = (m: ExperimentFromWorker): m is Done => m.type === 'encoderEvalDone';

describe('encoder measurement in the experiment host (stories260k)', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  let bytes: Uint8Array;
  beforeAll(async () => {
    const source = nodeFolderSource(STORIES);
    model = await loadModel(await testGpu(), source);
    tokenizer = await loadTokenizer(source);
    const texts = (await sourceByName('pg19-windows').texts({ tokenizer, length: N, count: 8, seed: 5 })).map((t) => t.tokens);
    const proto = { ...PAPER_SETTINGS, reportEvery: 10 };
    const run = await trainEncoder(model, texts, [], { features: { layer: model.spec.layers, pool: 'flat', length: N, bos: tokenizer.bosTokenId }, hiddenWidth: 16, batch: 8, steps: 20, lr: 3e-3, seed: 1, proto, m: null, freezeM: false });
    const meta = encoderMeta(model, { source: 'pg19-windows', texts: 8, heldOut: 0, steps: 20, batch: 8, lr: 3e-3, mLr: proto.lr, freezeM: false, normPenalty: 0, seed: 1, trainAccuracy: run.trainAccuracy, heldOutAccuracy: 0 });
    bytes = encodeEncoder({ ...run.encoder, meta });
  }, 120_000);

  const send = (spec: EncoderEvalSpec, name = 'tiny.safetensors', file = bytes) => ({ type: 'encoderEval' as const, requestId: 7, bytes: file.slice().buffer as ArrayBuffer, name, spec });

  it('measures zero-shot and the warm start, with progress through every stage, holding the experiment slot', async () => {
    const h = harness();
    h.host.encoderEval({ model, tokenizer }, send(SPEC));
    expect(h.host.running).toBe(true);
    const done = await h.until(isDone);
    expect(done.end, done.message).toBe('done');
    expect(done.requestId).toBe(7);
    const r = done.measured!.result;
    expect(r).toMatchObject({ source: 'files', length: N, texts: 3 });
    expect(r.zeroShot.mean).toBeGreaterThanOrEqual(0);
    expect(r.zeroShot.max).toBeLessThanOrEqual(1);
    expect(r.zeroShot.min).toBeLessThanOrEqual(r.zeroShot.mean);
    expect(r.warmStart).toMatchObject({ budget: 60, seeds: 1 });
    expect(r.warmStart!.encoder.items).toBe(3);
    expect(r.warmStart!.normal.items).toBe(3);
    expect(done.measured!.stopped).toBe(false);
    const stages = h.posts.flatMap((m) => (m.type === 'encoderEvalProgress' ? [m.progress.stage] : []));
    expect(stages.slice(0, 3)).toEqual(['texts', 'zero-shot', 'warm-start']);
    const fractions = h.posts.flatMap((m) => (m.type === 'encoderEvalProgress' ? [m.progress.fraction] : []));
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(h.host.running).toBe(false);
  }, 120_000);

  it('zero-shot alone without the warm start', async () => {
    const h = harness();
    h.host.encoderEval({ model, tokenizer }, send({ ...SPEC, warmStart: false }));
    const done = await h.until(isDone);
    expect(done.end).toBe('done');
    expect(done.measured!.result.warmStart).toBeNull();
  }, 60_000);

  it("cancel (experimentControl) ends the warm start early: the zero-shot part is kept, the warm start left out", async () => {
    const h = harness();
    h.host.encoderEval({ model, tokenizer }, send({ ...SPEC, steps: 100_000, lr: 1e-6 }));
    await h.until((m): m is ExperimentFromWorker => m.type === 'encoderEvalProgress' && m.progress.stage === 'warm-start' && m.progress.step > 0);
    await h.host.handle({ type: 'experimentControl', command: 'cancel' });
    const done = await h.until(isDone);
    expect(done.end).toBe('cancelled');
    expect(done.measured!.stopped).toBe(true);
    expect(done.measured!.result.warmStart).toBeNull();
    expect(done.measured!.result.texts).toBe(3);
    expect(h.host.running).toBe(false);
  }, 120_000);

  it('refuses a file that is not an encoder, and too few texts, with the reason', async () => {
    const h = harness();
    h.host.encoderEval({ model, tokenizer }, send(SPEC, 'junk.safetensors', new Uint8Array([1, 2, 3])));
    const junk = await h.until(isDone);
    expect(junk.end).toBe('failed');
    expect(junk.measured).toBeNull();
    expect(junk.message).toMatch(/^junk.safetensors: .*not a readable encoder/);
    const h2 = harness();
    h2.host.encoderEval({ model, tokenizer }, send({ ...SPEC, texts: 5 }));
    const few = await h2.until(isDone);
    expect(few.end).toBe('failed');
    expect(few.message).toMatch(/texts/);
    const h3 = harness();
    h3.host.encoderEval({ model, tokenizer }, send({ ...SPEC, files: [] }));
    expect((await h3.until(isDone)).message).toMatch(/"files" source has no texts/);
  }, 60_000);
});
