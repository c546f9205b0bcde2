import { beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { encodeEncoder, encoderMeta, type Encoder } from '../../src/encoder/file.ts';
import { initialParams } from '../../src/encoder/net.ts';
import { featureWidth, type FeatureSpec } from '../../src/encoder/features.ts';
import { predictAndScore } from '../../src/encoder/predict.ts';
import { Rng } from '../../src/util/rng.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../../src/shared/run-settings.ts';
import { decodeSolutionBytes } from '../../src/prototokens/solution-file.ts';
import { Engine } from '../../src/worker/engine.ts';
import { transferablesOf, type FromWorker, type RunCheckpoint, type ToWorker } from '../../src/worker/protocol.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { until } from '../helpers/fake-worker.ts';

// 9 tokens of stories260k, and an encoder for texts of 9 tokens with random (untrained) weights:
// what is tested is the plumbing (the prediction the page sees is the run's start), not its quality.
const TEXT = 'The cat sat on the mat';
const N = 9;
const settings: ProtoSettings = { ...PAPER_SETTINGS, maxSteps: 12, reportEvery: 4 };

function randomEncoder(model: Model, tokenizer: Tokenizer, over: Partial<Encoder['meta']> = {}): Uint8Array {
  const features: FeatureSpec = { layer: model.spec.layers, pool: 'mean', length: N, bos: tokenizer.bosTokenId };
  const d = model.spec.hidden;
  const shape = { inWidth: featureWidth(features, d), hiddenWidth: 16, outWidth: d };
  const F = shape.inWidth;
  const meta = {
    ...encoderMeta(model, { source: 'test', texts: 4, heldOut: 0, steps: 0, batch: 4, lr: 0.001, mLr: 0.01, freezeM: false, normPenalty: 0, seed: 0, trainAccuracy: 0.25, heldOutAccuracy: 0 }),
    ...over,
  };
  const stats = { mean: new Float32Array(F), std: new Float32Array(F).fill(1) };
  return encodeEncoder({ shape, features, stats, theta: initialParams(shape, 1, 1), m: new Rng(2).normalArray(d, 1), meta });
}

describe('engine: an encoder file, its prediction, and a run from it (stories260k)', () => {
  let gpu: Gpu;
  let model: Model;
  let tokenizer: Tokenizer;
  let ids: number[];
  let engine: Engine;
  const posted: FromWorker[] = [];
  const send = (msg: ToWorker) => engine.handle(msg);
  const reply = async <T extends FromWorker['type']>(type: T, from: number): Promise<Extract<FromWorker, { type: T }>> => {
    await until(() => posted.slice(from).some((m) => m.type === type || m.type === 'error'), 60_000);
    const got = posted.slice(from).find((m) => m.type === type || m.type === 'error')!;
    if (got.type === 'error') throw new Error(`${got.op}: ${got.message}`);
    return got as Extract<FromWorker, { type: T }>;
  };
  const error = async (from: number): Promise<Extract<FromWorker, { type: 'error' }>> => {
    await until(() => posted.slice(from).some((m) => m.type === 'error'), 60_000);
    return posted.slice(from).find((m): m is Extract<FromWorker, { type: 'error' }> => m.type === 'error')!;
  };
  const bytesOf = (u: Uint8Array) => u.slice().buffer as ArrayBuffer;

  beforeAll(async () => {
    gpu = await testGpu();
    const src = nodeFolderSource(STORIES);
    model = await loadModel(gpu, src);
    tokenizer = await loadTokenizer(src);
    ids = tokenizer.encode(TEXT);
    expect(ids).toHaveLength(N);
    engine = new Engine((m) => posted.push(m));
    (engine as unknown as { loaded: unknown }).loaded = { model, tokenizer, label: 'stories260k' };
  });

  it('the protocol transfers the file and pairs the requests with their answers', () => {
    const bytes = new ArrayBuffer(4);
    expect(transferablesOf({ type: 'loadEncoder', requestId: 1, bytes, name: 'e.safetensors' })).toEqual([bytes]);
  });

  it('refuses another model’s encoder in one line naming that model, and a start from no encoder', async () => {
    let at = posted.length;
    send({ type: 'loadEncoder', requestId: 1, name: 'other.safetensors', bytes: bytesOf(randomEncoder(model, tokenizer, { model: 'pythia-70m', modelFingerprint: 'a'.repeat(64) })) });
    const e = await error(at);
    expect(e).toMatchObject({ op: 'loadEncoder', requestId: 1 });
    expect(e.message).toContain('made with pythia-70m');
    expect(e.message).not.toContain('\n');
    at = posted.length;
    send({ type: 'start', ids, text: TEXT, settings, from: 'encoder' });
    expect((await error(at)).message).toMatch(/No encoder is loaded/);
  });

  it('predicts the text as predictAndScore does, and a run starts from that prediction and records it', async () => {
    const file = randomEncoder(model, tokenizer);
    let at = posted.length;
    send({ type: 'loadEncoder', requestId: 2, name: 'enc.safetensors', bytes: bytesOf(file) });
    const loaded = await reply('encoderLoaded', at);
    expect(loaded).toMatchObject({ requestId: 2, name: 'enc.safetensors', info: { N, model: model.id, modelFingerprint: model.fingerprint, pool: 'mean', predictsM: false, trainAccuracy: 0.25 } });

    at = posted.length;
    send({ type: 'encoderPredict', requestId: 3, ids: ids.slice(0, 5), settings });
    expect((await error(at)).message).toMatch(/exactly 9 tokens and got 5/);

    at = posted.length;
    send({ type: 'encoderPredict', requestId: 4, ids, settings });
    const predicted = await reply('encoderPredicted', at);
    const enc = (engine as unknown as { encoders: { loaded: Encoder } }).encoders.loaded;
    const [want] = await predictAndScore(model, enc, [ids], settings);
    expect(predicted).toMatchObject({ requestId: 4, ids, text: TEXT, argmax: want.argmax, correct: want.correct });
    expect(predicted.argmax).toHaveLength(N);

    at = posted.length;
    // Reports after every step: the first one scores the vectors the run started from.
    send({ type: 'start', ids, text: TEXT, settings: { ...settings, reportEvery: 1 }, from: 'encoder' });
    const start = await reply('encoderStart', at);
    expect(start).toEqual({ type: 'encoderStart', N, initialCorrect: predicted.correct });
    const first = await reply('progress', at);
    expect(first).toMatchObject({ step: 1, cTokens: predicted.correct, loss: predicted.loss });
    const done = await reply('done', at);
    expect(done.meta).toMatchObject({ init: 'encoder', initialAccuracy: predicted.correct / N });
    const solution = await decodeSolutionBytes(new Uint8Array(done.solution!), 'run');
    expect(solution.meta.init).toBe('encoder');
    expect(solution.meta.initialAccuracy).toBe(predicted.correct / N);
  });

  it('a run from the encoder checkpoints as one, and resumed it is still one from the encoder', async () => {
    let at = posted.length;
    // One step, then a pause: the pause posts a checkpoint.
    send({ type: 'start', ids, text: TEXT, settings, from: 'encoder', begin: 'step' });
    const { checkpoint } = await reply('checkpoint', at);
    const { initialCorrect } = await reply('encoderStart', at);
    expect(checkpoint.encoder).toEqual({ initialCorrect });
    send({ type: 'stop' });
    await reply('done', at);
    at = posted.length;
    const cp: RunCheckpoint = structuredClone(checkpoint);
    send({ type: 'start', ids, text: TEXT, settings, resume: cp });
    expect(await reply('encoderStart', at)).toEqual({ type: 'encoderStart', N, initialCorrect });
    const done = await reply('done', at);
    expect(done.meta).toMatchObject({ init: 'encoder', initialAccuracy: initialCorrect / N });
  });

  it('a plain start still draws its vectors, and an unloaded encoder starts nothing', async () => {
    let at = posted.length;
    send({ type: 'start', ids, text: TEXT, settings });
    const done = await reply('done', at);
    expect(done.meta?.init).toBe('normal');
    expect(done.meta && 'initialAccuracy' in done.meta).toBe(false);
    expect(posted.slice(at).some((m) => m.type === 'encoderStart')).toBe(false);
    send({ type: 'unloadEncoder' });
    at = posted.length;
    send({ type: 'encoderPredict', requestId: 5, ids, settings });
    expect((await error(at)).message).toMatch(/No encoder is loaded/);
  });
});
