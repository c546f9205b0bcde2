/**
 * The encoder's slice of LabState (issue 19 §5) and its pure transitions: the encoder file the
 * page loaded (the worker holds the encoder itself), its prediction for the text on the page, and
 * what a run starts from. An encoder encodes exactly N tokens: a longer text is cut to its first N
 * for the prediction and the run; a shorter one cannot be encoded and its runs start from the
 * seeded draw, as do memory-token runs (the encoder predicts proto-tokens).
 */
import type { FirstTarget, LayoutName } from '../shared/layouts.ts';
import type { EncoderInfo, FromWorker } from '../worker/protocol.ts';
import type { LabState, TokensView } from './state.ts';

export type EncoderFile =
  /** note: why an encoder went away without being unloaded (a model of another fingerprint). */
  | { state: 'none'; note?: string }
  | { state: 'loading'; name: string; requestId: number }
  | { state: 'ready'; name: string; info: EncoderInfo }
  | { state: 'error'; name: string; message: string };

/** What a prediction was asked for: the page's tokens (the very view object), the layout, and the N ids encoded. */
export interface PredictionFor {
  tokens: TokensView;
  layout: LayoutName;
  firstTarget: FirstTarget;
  ids: number[];
}

type Predicted = Omit<Extract<FromWorker, { type: 'encoderPredicted' }>, 'type' | 'ids'>;

export type EncoderPrediction =
  | { state: 'none' }
  | ({ state: 'predicting'; requestId: number } & PredictionFor)
  | ({ state: 'ready' } & Predicted & PredictionFor)
  | ({ state: 'error'; requestId: number; message: string } & PredictionFor);

export interface EncoderView {
  file: EncoderFile;
  prediction: EncoderPrediction;
}

export const IDLE_ENCODER: EncoderView = { file: { state: 'none' }, prediction: { state: 'none' } };

export function encoderRequested(v: EncoderView, name: string, requestId: number): EncoderView {
  return { file: { state: 'loading', name, requestId }, prediction: { state: 'none' } };
}

/** A file refused before the worker saw it (too big, unreadable, no model loaded). */
export function encoderRefused(v: EncoderView, name: string, message: string): EncoderView {
  return { file: { state: 'error', name, message }, prediction: { state: 'none' } };
}

export function encoderUnloaded(): EncoderView {
  return IDLE_ENCODER;
}

export function predictionRequested(v: EncoderView, requestId: number, what: PredictionFor): EncoderView {
  return { ...v, prediction: { state: 'predicting', requestId, ...what } };
}

/** The worker's answers; an answer to an older request (a replaced file, an edited text) is dropped. */
export function applyEncoderMessage(v: EncoderView, msg: Extract<FromWorker, { type: 'encoderLoaded' | 'encoderPredicted' }>): EncoderView {
  if (msg.type === 'encoderLoaded') {
    if (v.file.state !== 'loading' || v.file.requestId !== msg.requestId) return v;
    return { file: { state: 'ready', name: msg.name, info: msg.info }, prediction: { state: 'none' } };
  }
  const p = v.prediction;
  if (p.state !== 'predicting' || p.requestId !== msg.requestId) return v;
  const { type: _type, ids: _ids, ...predicted } = msg;
  return { ...v, prediction: { ...predicted, state: 'ready', tokens: p.tokens, layout: p.layout, firstTarget: p.firstTarget, ids: p.ids } };
}

/** An error for one of the encoder's requests (the next state), or null when the error is not the encoder's. */
export function applyEncoderError(v: EncoderView, msg: Extract<FromWorker, { type: 'error' }>): EncoderView | null {
  if (msg.op === 'loadEncoder') {
    if (v.file.state !== 'loading' || v.file.requestId !== msg.requestId) return v;
    return { file: { state: 'error', name: v.file.name, message: msg.message }, prediction: { state: 'none' } };
  }
  if (msg.op === 'encoderPredict') {
    const p = v.prediction;
    if (p.state !== 'predicting' || p.requestId !== msg.requestId) return v;
    return { ...v, prediction: { ...p, state: 'error', message: msg.message } };
  }
  return null;
}

/** A model is ready: an encoder made for another one is gone (the worker drops it by the same rule). */
export function encoderModelReady(v: EncoderView, fingerprint: string): EncoderView {
  if (v.file.state !== 'ready' || v.file.info.modelFingerprint === fingerprint) return v;
  return { file: { state: 'none', note: `${v.file.name} was made with ${v.file.info.model}, not the model now loaded: it was unloaded. Load an encoder for this model.` }, prediction: { state: 'none' } };
}

/** The parts of the state the encoder's plan reads (a component selects each, then derives the plan). */
export type EncoderInputs = Pick<LabState, 'encoder' | 'tokens' | 'settings' | 'model'>;

/** What the encoder should predict now: the first N tokens of the page's fresh text in its layout; null when no prediction applies. */
export function predictionTarget(s: EncoderInputs): PredictionFor | null {
  const f = s.encoder.file;
  const t = s.tokens.current;
  if (f.state !== 'ready' || s.model.state !== 'ready' || s.settings.method !== 'oneshot') return null;
  if (!t || t.text !== s.settings.text || t.ids.length < f.info.N) return null;
  return { tokens: t, layout: s.settings.layout, firstTarget: s.settings.firstTarget, ids: t.ids.slice(0, f.info.N) };
}

export function samePrediction(a: PredictionFor, b: PredictionFor): boolean {
  return a.tokens === b.tokens && a.layout === b.layout && a.firstTarget === b.firstTarget;
}

/**
 * Where a run on the page starts. off: no encoder, the seeded draw; unused: an encoder is loaded
 * but cannot encode this text or method (why says so), the seeded draw; wait: its prediction is on
 * its way; failed: the prediction was refused; ready: the run starts from the prediction, of the
 * first N tokens (of `of`, when the text was cut: null for a text too long to count).
 */
export type EncoderPlan =
  | { kind: 'off' }
  | { kind: 'unused'; why: string }
  | { kind: 'wait' }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; prediction: Extract<EncoderPrediction, { state: 'ready' }>; cut: { of: number | null } | null };

export function encoderPlan(s: EncoderInputs): EncoderPlan {
  const f = s.encoder.file;
  if (f.state !== 'ready') return { kind: 'off' };
  const N = f.info.N;
  if (s.settings.method !== 'oneshot') return { kind: 'unused', why: 'The encoder predicts proto-tokens: memory-token runs start from the seeded draw.' };
  const t = s.tokens.current;
  if (!t || t.text !== s.settings.text) return { kind: 'wait' };
  if (t.ids.length < N) {
    return { kind: 'unused', why: `The encoder needs ${N} tokens and this text has ${t.ids.length}: type ${N - t.ids.length} more for its prediction; until then a run starts from the seeded draw.` };
  }
  const want = predictionTarget(s);
  const p = s.encoder.prediction;
  if (!want || p.state === 'none' || !samePrediction(p, want) || p.state === 'predicting') return { kind: 'wait' };
  if (p.state === 'error') return { kind: 'failed', message: p.message };
  const cut = t.partial || t.ids.length > N ? { of: t.partial ? null : t.ids.length } : null;
  return { kind: 'ready', prediction: p, cut };
}

/**
 * What Compress runs: the page's tokens from the seeded draw, or, with the encoder's prediction
 * ready, its N tokens (a cut text's first N, with their own text) from the prediction.
 */
export function runTarget(s: LabState): { tokens: TokensView; from?: 'encoder' } | null {
  const t = s.tokens.current;
  if (!t) return null;
  const plan = encoderPlan(s);
  if (plan.kind !== 'ready') return { tokens: t };
  const p = plan.prediction;
  const tokens: TokensView = { text: plan.cut ? p.text : t.text, ids: p.ids, pieces: t.pieces.slice(0, p.ids.length), maxTokens: t.maxTokens, tooLong: false };
  return { tokens, from: 'encoder' };
}
