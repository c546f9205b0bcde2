/**
 * The encoder's side of the page controller: hands a picked or dropped encoder file to the worker,
 * unloads it, and asks for the encoder's prediction whenever the page's tokens (or their layout)
 * change, so its one-pass reconstruction shows before any optimisation step.
 */
import type { EngineClient } from '../worker/client.ts';
import { formatBytes } from '../util/bytes.ts';
import { encoderRefused, encoderRequested, encoderUnloaded, predictionRequested, predictionTarget, samePrediction, type EncoderView } from './encoder-state.ts';
import { errorText } from './probes.ts';
import { applyTo, type LabStore } from './store.ts';
import { toProtoSettings } from './url-state.ts';

/**
 * The largest encoder file read. An encoder is a small network over the model's hidden states:
 * flat features of a 4096-wide model over 32 tokens with 256 hidden units take 128 MiB. Anything
 * bigger is model weights picked by mistake, refused before it fills the tab's memory.
 */
export const MAX_ENCODER_BYTES = 256 << 20;

export interface EncoderActions {
  /** Decodes the file in the worker against the loaded model; it replaces any loaded encoder. */
  loadEncoder(file: File): void;
  unloadEncoder(): void;
}

export function startEncoder(store: LabStore, client: EngineClient): EncoderActions {
  const get = () => store.getState();
  const enc = <A extends unknown[]>(fn: (v: EncoderView, ...args: A) => EncoderView, ...args: A) => applyTo(store, 'encoder', fn, ...args);

  /** Asks for the prediction the page's state wants, unless it is already asked for or there. */
  const predict = () => {
    const s = get();
    const want = predictionTarget(s);
    const p = s.encoder.prediction;
    if (!want || (p.state !== 'none' && samePrediction(p, want))) return;
    const requestId = client.newRequestId();
    enc(predictionRequested, requestId, want);
    client.send({ type: 'encoderPredict', requestId, ids: want.ids, settings: toProtoSettings(s.settings) });
  };
  // After the notification, not inside it: a state change from a listener would reach the other
  // listeners before the change that triggered it.
  store.subscribe((s, prev) => {
    if (s.tokens !== prev.tokens || s.encoder !== prev.encoder || s.settings !== prev.settings || s.model !== prev.model) queueMicrotask(predict);
  });

  return {
    loadEncoder(file) {
      if (get().model.state !== 'ready') {
        enc(encoderRefused, file.name, 'No model is loaded: load the model the encoder was made with, then its encoder.');
        return;
      }
      if (file.size > MAX_ENCODER_BYTES) {
        enc(encoderRefused, file.name, `${file.name} is ${formatBytes(file.size)}, too big for an encoder file (at most ${formatBytes(MAX_ENCODER_BYTES)}). Pick a .safetensors file made by protolab encoder train, not model weights.`);
        return;
      }
      file.arrayBuffer().then(
        (bytes) => {
          const requestId = client.newRequestId();
          enc(encoderRequested, file.name, requestId);
          client.send({ type: 'loadEncoder', requestId, name: file.name, bytes });
        },
        (e: unknown) => enc(encoderRefused, file.name, `Could not read ${file.name}: ${errorText(e)}`),
      );
    },
    unloadEncoder() {
      enc(encoderUnloaded);
      client.send({ type: 'unloadEncoder' });
    },
  };
}
