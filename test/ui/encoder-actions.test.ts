import { describe, expect, it } from 'vitest';
import { startEncoder, MAX_ENCODER_BYTES } from '../../src/ui/encoder-actions.ts';
import { encoderPlan } from '../../src/ui/encoder-state.ts';
import { tokenizeRequested, updateSettings } from '../../src/ui/reducers.ts';
import { initialState } from '../../src/ui/state.ts';
import { apply, createLabStore, dispatchWorkerMessage, type LabStore } from '../../src/ui/store.ts';
import { EngineClient } from '../../src/worker/client.ts';
import type { EncoderInfo } from '../../src/worker/protocol.ts';
import { FakePort, storiesReady, until } from '../helpers/fake-worker.ts';

const INFO: EncoderInfo = { N: 4, model: 'stories260k', modelFingerprint: 'fp-stories', layer: 5, pool: 'flat', predictsM: false, source: 'pg19-windows', texts: 256, heldOut: 0, steps: 50, trainAccuracy: 0.3, heldOutAccuracy: 0 };

function page(modelReady = true) {
  const store = createLabStore(modelReady ? { ...initialState(), model: { state: 'ready', ref: 'stories260k', info: storiesReady() } } : initialState());
  const port = new FakePort();
  const client = new EngineClient(port);
  client.subscribe((m) => dispatchWorkerMessage(store, m));
  return { store, port, actions: startEncoder(store, client) };
}

/** The text as typed and its tokens as the worker answers. */
function typed(store: LabStore, text: string, ids: number[]): void {
  apply(store, updateSettings, { text });
  apply(store, tokenizeRequested, 50 + ids.length, text);
  dispatchWorkerMessage(store, { type: 'tokens', requestId: 50 + ids.length, ids, pieces: ids.map(String), maxTokens: 512, tooLong: false });
}

describe('encoder actions', () => {
  it('sends a picked file to the worker and, once it is loaded, asks for the prediction of the typed text’s first N tokens', async () => {
    const { store, port, actions } = page();
    typed(store, 'a longer text', [5, 6, 7, 8, 9, 10]);
    actions.loadEncoder(new File([new Uint8Array([1, 2, 3])], 'enc.safetensors'));
    const load = await port.next('loadEncoder');
    expect(load).toMatchObject({ name: 'enc.safetensors' });
    expect(new Uint8Array(load.bytes)).toEqual(new Uint8Array([1, 2, 3]));
    expect(store.getState().encoder.file).toMatchObject({ state: 'loading', name: 'enc.safetensors' });
    port.reply({ type: 'encoderLoaded', requestId: load.requestId, name: 'enc.safetensors', info: INFO });

    const ask = await port.next('encoderPredict');
    expect(ask.ids).toEqual([5, 6, 7, 8]);
    expect(ask.settings).toMatchObject({ layout: store.getState().settings.layout, firstTarget: store.getState().settings.firstTarget });
    port.reply({ type: 'encoderPredicted', requestId: ask.requestId, ids: [5, 6, 7, 8], text: 'a long', argmax: [5, 0, 7, 8], decodedText: 'a lo', correct: 3, loss: 2 });
    await until(() => encoderPlan(store.getState()).kind === 'ready');
    expect(encoderPlan(store.getState())).toMatchObject({ kind: 'ready', cut: { of: 6 }, prediction: { correct: 3 } });
    // One request per tokens: nothing more is asked while nothing changes.
    await new Promise((r) => setTimeout(r, 10));
    expect(port.sent.filter((m) => m.type === 'encoderPredict')).toHaveLength(1);

    // A new text: a new prediction.
    const at = port.sent.length;
    typed(store, 'b b b b', [1, 2, 3, 4]);
    expect((await port.next('encoderPredict', at)).ids).toEqual([1, 2, 3, 4]);
  });

  it('asks nothing for a text shorter than N, and unloading tells the worker', async () => {
    const { store, port, actions } = page();
    actions.loadEncoder(new File([new Uint8Array([1])], 'enc.safetensors'));
    const load = await port.next('loadEncoder');
    port.reply({ type: 'encoderLoaded', requestId: load.requestId, name: 'enc.safetensors', info: INFO });
    typed(store, 'ab', [1, 2]);
    await new Promise((r) => setTimeout(r, 10));
    expect(port.sent.some((m) => m.type === 'encoderPredict')).toBe(false);
    actions.unloadEncoder();
    expect(port.sent.at(-1)).toEqual({ type: 'unloadEncoder' });
    expect(store.getState().encoder.file).toEqual({ state: 'none' });
  });

  it('refuses a file before any model, and one too big to be an encoder, without reading it', async () => {
    const none = page(false);
    none.actions.loadEncoder(new File([new Uint8Array([1])], 'enc.safetensors'));
    expect(none.store.getState().encoder.file).toEqual({ state: 'error', name: 'enc.safetensors', message: expect.stringContaining('No model is loaded') });
    const { store, port, actions } = page();
    const huge = { name: 'model.safetensors', size: MAX_ENCODER_BYTES + 1, arrayBuffer: () => Promise.reject(new Error('read')) } as unknown as File;
    actions.loadEncoder(huge);
    expect(store.getState().encoder.file).toMatchObject({ state: 'error', message: expect.stringContaining('too big for an encoder file') });
    expect(port.sent).toEqual([]);
  });

  it('a worker refusal shows on the file, naming the model it was made with', async () => {
    const { store, port, actions } = page();
    actions.loadEncoder(new File([new Uint8Array([1])], 'other.safetensors'));
    const load = await port.next('loadEncoder');
    port.reply({ type: 'error', op: 'loadEncoder', requestId: load.requestId, message: 'This encoder was made with pythia-70m (fingerprint aaaa), not with the loaded model stories260k (ffff). Load the model it was made with.' });
    expect(store.getState().encoder.file).toMatchObject({ state: 'error', name: 'other.safetensors', message: expect.stringContaining('made with pythia-70m') });
  });
});
