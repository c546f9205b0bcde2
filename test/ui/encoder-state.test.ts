import { describe, expect, it } from 'vitest';
import { applyWorkerMessages, modelLoading, runRequested, tokenizeRequested, updateSettings } from '../../src/ui/reducers.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { compressBlocker } from '../../src/ui/selectors.ts';
import { encoderPlan, encoderRequested, encoderUnloaded, predictionRequested, predictionTarget, runTarget, type EncoderView } from '../../src/ui/encoder-state.ts';
import type { EncoderInfo, FromWorker } from '../../src/worker/protocol.ts';
import { recordFromSolution, ENCODER_TAG } from '../../src/library/records.ts';
import { READY } from './fixtures.ts';
import { meta } from '../library/fixtures.ts';

const run = (s: LabState, ...msgs: FromWorker[]) => applyWorkerMessages(s, msgs);
const enc = (s: LabState, fn: (v: EncoderView) => EncoderView): LabState => ({ ...s, encoder: fn(s.encoder) });

const INFO: EncoderInfo = { N: 4, model: READY.id, modelFingerprint: READY.fingerprint, layer: 5, pool: 'flat', predictsM: false, source: 'pg19-windows', texts: 256, heldOut: 0, steps: 50, trainAccuracy: 0.3, heldOutAccuracy: 0 };

/** stories260k ready, `text` tokenized into `ids` (pieces: one letter each). */
function withText(ids: number[], text = 'x'.repeat(ids.length), s0 = run(modelLoading(initialState(), 'stories260k', 'stories260k'), READY)): LabState {
  let s = updateSettings(s0, { text });
  s = tokenizeRequested(s, 7, text);
  return run(s, { type: 'tokens', requestId: 7, ids, pieces: ids.map((i) => `p${i}`), maxTokens: 512, tooLong: false });
}

/** An encoder for N = 4 tokens loaded (request 3) on top of `s`. */
function withEncoder(s: LabState): LabState {
  s = enc(s, (v) => encoderRequested(v, 'enc.safetensors', 3));
  return run(s, { type: 'encoderLoaded', requestId: 3, name: 'enc.safetensors', info: INFO });
}

/** The prediction the page asks for, and the worker's answer (request 9): positions 0 and 2 right. */
function predicted(s: LabState): LabState {
  const want = predictionTarget(s)!;
  s = enc(s, (v) => predictionRequested(v, 9, want));
  const argmax = want.ids.map((id, i) => (i % 2 === 0 ? id : 0));
  return run(s, { type: 'encoderPredicted', requestId: 9, ids: want.ids, text: 'first four', argmax, decodedText: 'x?x?', correct: 2, loss: 3.5 });
}

describe('the encoder file', () => {
  it('goes loading → ready; an older answer or error is dropped; a refusal names the file', () => {
    let s = withText([]);
    s = enc(s, (v) => encoderRequested(v, 'enc.safetensors', 3));
    expect(s.encoder.file).toEqual({ state: 'loading', name: 'enc.safetensors', requestId: 3 });
    expect(run(s, { type: 'encoderLoaded', requestId: 2, name: 'old.safetensors', info: INFO })).toBe(s);
    expect(run(s, { type: 'error', op: 'loadEncoder', requestId: 2, message: 'old' })).toBe(s);
    const refused = run(s, { type: 'error', op: 'loadEncoder', requestId: 3, message: 'This encoder was made with pythia-70m (fingerprint aaaa), not with the loaded model stories260k.' });
    expect(refused.encoder.file).toEqual({ state: 'error', name: 'enc.safetensors', message: expect.stringContaining('made with pythia-70m') });
    expect(refused.error).toBeNull();
    const ready = withEncoder(withText([]));
    expect(ready.encoder.file).toEqual({ state: 'ready', name: 'enc.safetensors', info: INFO });
    expect(encoderUnloaded()).toEqual({ file: { state: 'none' }, prediction: { state: 'none' } });
  });

  it('stays with a reload of its model and goes, with a note, when another model is ready', () => {
    const s = withEncoder(withText([1, 2, 3, 4]));
    expect(run(modelLoading(s, 'stories260k', 'stories260k'), READY).encoder).toBe(s.encoder);
    const other = run(modelLoading(s, 'fixtures-gpt2-tiny', 'fixtures-gpt2-tiny'), { ...READY, fingerprint: 'b'.repeat(64) });
    expect(other.encoder.file).toEqual({ state: 'none', note: expect.stringContaining(`enc.safetensors was made with ${READY.id}`) });
  });
});

describe('the prediction and where a run starts', () => {
  it('without an encoder a run is the page’s tokens from the seeded draw', () => {
    const s = withText([1, 2, 3, 4, 5]);
    expect(encoderPlan(s)).toEqual({ kind: 'off' });
    expect(predictionTarget(s)).toBeNull();
    expect(runTarget(s)).toEqual({ tokens: s.tokens.current });
  });

  it('asks for the first N tokens, holds Compress until the answer, then runs those N from the prediction', () => {
    let s = withEncoder(withText([1, 2, 3, 4]));
    expect(predictionTarget(s)).toMatchObject({ ids: [1, 2, 3, 4], layout: s.settings.layout, firstTarget: s.settings.firstTarget });
    expect(encoderPlan(s)).toEqual({ kind: 'wait' });
    expect(compressBlocker(s)).toBe('The encoder is predicting…');
    s = predicted(s);
    const plan = encoderPlan(s);
    expect(plan).toMatchObject({ kind: 'ready', cut: null, prediction: { correct: 2, argmax: [1, 0, 3, 0] } });
    expect(compressBlocker(s)).toBeNull();
    // Exactly N tokens: the page's own text.
    expect(runTarget(s)).toEqual({ tokens: { text: 'xxxx', ids: [1, 2, 3, 4], pieces: ['p1', 'p2', 'p3', 'p4'], maxTokens: 512, tooLong: false }, from: 'encoder' });
    // Another layout is another prediction.
    expect(encoderPlan(updateSettings(s, { layout: 'e*N' }))).toEqual({ kind: 'wait' });
  });

  it('cuts a longer text to its first N tokens and says so; the run is those N with their own text', () => {
    const s = predicted(withEncoder(withText([1, 2, 3, 4, 5, 6])));
    expect(encoderPlan(s)).toMatchObject({ kind: 'ready', cut: { of: 6 } });
    expect(runTarget(s)).toEqual({ tokens: { text: 'first four', ids: [1, 2, 3, 4], pieces: ['p1', 'p2', 'p3', 'p4'], maxTokens: 512, tooLong: false }, from: 'encoder' });
    // A text too long for the model is no obstacle: only its first N tokens are run.
    const long = { ...s, tokens: { ...s.tokens, current: { ...s.tokens.current!, tooLong: true } } };
    const again = predicted(long);
    expect(compressBlocker(again)).toBeNull();
  });

  it('a shorter text or a memory-token run does not use it, and says why', () => {
    const short = withEncoder(withText([1, 2, 3]));
    expect(predictionTarget(short)).toBeNull();
    expect(encoderPlan(short)).toEqual({ kind: 'unused', why: expect.stringContaining('The encoder needs 4 tokens and this text has 3') });
    expect(runTarget(short)).toEqual({ tokens: short.tokens.current });
    expect(compressBlocker(short)).toBeNull();
    const memory = updateSettings(withEncoder(withText([1, 2, 3, 4])), { method: 'memory' });
    expect(predictionTarget(memory)).toBeNull();
    expect(encoderPlan(memory)).toMatchObject({ kind: 'unused', why: expect.stringContaining('memory-token runs start from the seeded draw') });
  });

  it('a refused prediction blocks Compress with the reason and the way out', () => {
    let s = withEncoder(withText([1, 2, 3, 4]));
    s = enc(s, (v) => predictionRequested(v, 9, predictionTarget(s)!));
    s = run(s, { type: 'error', op: 'encoderPredict', requestId: 9, message: 'GPU out of memory.' });
    expect(encoderPlan(s)).toEqual({ kind: 'failed', message: 'GPU out of memory.' });
    expect(compressBlocker(s)).toMatch(/^The encoder's prediction failed: GPU out of memory\. Unload the encoder/);
    expect(run(s, { type: 'encoderPredicted', requestId: 8, ids: [1, 2, 3, 4], text: '', argmax: [], decodedText: '', correct: 0, loss: 0 })).toBe(s);
  });

  it('the run records what the encoder start got right, as the worker says so', () => {
    let s = predicted(withEncoder(withText([1, 2, 3, 4])));
    expect(run(s, { type: 'encoderStart', N: 4, initialCorrect: 2 })).toBe(s);
    s = runRequested(s, runTarget(s)!.tokens, 'stories260k');
    s = run(s, { type: 'encoderStart', N: 4, initialCorrect: 2 });
    expect(s.run.encoderStart).toEqual({ N: 4, initialCorrect: 2 });
    // The next run starts clean.
    expect(runRequested(s, s.tokens.current!, 'stories260k').run.encoderStart).toBeUndefined();
  });
});

describe('library records of encoder starts', () => {
  it('tag the solution "encoder" and keep its init and initial accuracy', () => {
    const m = { ...meta(), init: 'encoder', initialAccuracy: 0.4375 };
    const rec = recordFromSolution(m, new ArrayBuffer(1), { name: 'a.safetensors', source: 'run', tags: ['Mine'] });
    expect(rec).toMatchObject({ init: 'encoder', initialAccuracy: 0.4375, tags: ['mine', ENCODER_TAG] });
    const plain = recordFromSolution(meta(), new ArrayBuffer(1), { name: 'b.safetensors', source: 'import' });
    expect(plain.tags).toEqual([]);
    expect(plain.init).toBe('normal');
    expect('initialAccuracy' in plain).toBe(false);
  });
});
