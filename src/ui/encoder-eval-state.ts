/**
 * The Experiments view's encoder measurement (issue 19 §5) as part of the experiments slice:
 * the measurement running (its latest progress), how the last one ended, and every result of this
 * session for the table. Pure transitions; the worker's messages are matched by requestId.
 */
import type { EncoderEvalMeasured, EncoderEvalProgress, ExperimentFromWorker, FromWorker } from '../worker/protocol.ts';

export type EncoderEvalRun =
  | { state: 'idle' }
  | { state: 'measuring'; name: string; requestId: number; progress: EncoderEvalProgress | null }
  | { state: 'done' | 'cancelled' | 'failed'; name: string; message: string };

export interface EncoderEvalView {
  run: EncoderEvalRun;
  /** Every measurement of this session, oldest first (a cancelled one with its zero-shot part). */
  measured: EncoderEvalMeasured[];
}

export const IDLE_ENCODER_EVAL: EncoderEvalView = { run: { state: 'idle' }, measured: [] };

/** A measurement uses the engine: it holds the experiment's place (the worker's one-job rule). */
export function encoderEvalActive(v: EncoderEvalView): boolean {
  return v.run.state === 'measuring';
}

export function encoderEvalRequested(v: EncoderEvalView, name: string, requestId: number): EncoderEvalView {
  return { ...v, run: { state: 'measuring', name, requestId, progress: null } };
}

/** Refused before the worker saw it (the file could not be read). */
export function encoderEvalRefused(v: EncoderEvalView, name: string, message: string): EncoderEvalView {
  return { ...v, run: { state: 'failed', name, message } };
}

type EncoderEvalMessage = Extract<ExperimentFromWorker, { type: 'encoderEvalProgress' | 'encoderEvalDone' }>;

export function applyEncoderEvalMessage(v: EncoderEvalView, msg: EncoderEvalMessage): EncoderEvalView {
  const run = v.run;
  if (run.state !== 'measuring' || run.requestId !== msg.requestId) return v;
  if (msg.type === 'encoderEvalProgress') return { ...v, run: { ...run, progress: msg.progress } };
  return { run: { state: msg.end, name: run.name, message: msg.message }, measured: msg.measured ? [...v.measured, msg.measured] : v.measured };
}

/** The worker refused the request (another job running, no model): the error carries its requestId. */
export function applyEncoderEvalError(v: EncoderEvalView, msg: Extract<FromWorker, { type: 'error' }>): EncoderEvalView {
  const run = v.run;
  if (run.state !== 'measuring' || run.requestId !== msg.requestId) return v;
  return { ...v, run: { state: 'failed', name: run.name, message: msg.message } };
}
