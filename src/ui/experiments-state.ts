/**
 * The experiments view's slice of the lab state and its pure transitions: the running
 * experiment's progress, every stored sweep record (streamed as attempts finish), the user's own
 * texts for the 'files' source, throughput measurements and encoder measurements.
 */
import type { ExperimentFromWorker, ExperimentProgress, FromWorker, SweepRecord, ThroughputMeasured } from '../worker/protocol.ts';
import type { ExperimentText } from '../shared/experiment-spec.ts';
import { applyEncoderEvalError, applyEncoderEvalMessage, IDLE_ENCODER_EVAL, type EncoderEvalView } from './encoder-eval-state.ts';

export type ExperimentsPhase = 'idle' | 'starting' | ExperimentProgress['phase'] | 'done' | 'cancelled' | 'failed';

export type ThroughputState =
  | { state: 'idle' }
  /** `receivedAt`: the page's performance.now() when the progress arrived, so the panel counts on from the worker's elapsed time. */
  | { state: 'measuring'; name: string; requestId: number; progress?: { done: number; total: number; elapsedMs: number; etaMs: number | null; receivedAt: number } }
  | { state: 'done'; name: string }
  | { state: 'error'; name: string; message: string };

export interface ExperimentsView {
  phase: ExperimentsPhase;
  progress: ExperimentProgress | null;
  /** Every stored record (all sweeps), in the order stored. */
  records: SweepRecord[];
  /** The stored records have been read (after a reload: the list came back). */
  listed: boolean;
  /** How the last experiment ended, or why it could not start. */
  message: string | null;
  /** Texts of the 'files' source (pasted or picked). */
  files: ExperimentText[];
  throughput: ThroughputState;
  /** Every measurement of this session, oldest first. */
  measured: ThroughputMeasured[];
  /** The encoder measurement (encoder-eval-state.ts). */
  encoderEval: EncoderEvalView;
}

export const IDLE_EXPERIMENTS: ExperimentsView = {
  phase: 'idle',
  progress: null,
  records: [],
  listed: false,
  message: null,
  files: [],
  throughput: { state: 'idle' },
  measured: [],
  encoderEval: IDLE_ENCODER_EVAL,
};

/** An experiment uses the engine (start is locked; pause/resume/cancel apply). */
export function experimentActive(phase: ExperimentsPhase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'paused' || phase === 'stopping';
}

export function experimentRequested(x: ExperimentsView): ExperimentsView {
  return { ...x, phase: 'starting', progress: null, message: null };
}

export function throughputRequested(x: ExperimentsView, name: string, requestId: number): ExperimentsView {
  return { ...x, throughput: { state: 'measuring', name, requestId } };
}

export function setExperimentFiles(x: ExperimentsView, files: ExperimentText[]): ExperimentsView {
  return { ...x, files };
}

/** `now`: when the message arrived (the page's clock; only a throughput progress keeps it). */
export function applyExperimentMessage(x: ExperimentsView, msg: ExperimentFromWorker, now: number = performance.now()): ExperimentsView {
  switch (msg.type) {
    case 'experimentProgress':
      // A late report after the end (or without a start from this page) must not revive the run.
      if (!experimentActive(x.phase)) return x;
      return { ...x, phase: msg.progress.phase === 'starting' ? 'running' : msg.progress.phase, progress: msg.progress };
    case 'experimentRecords':
      return { ...x, listed: x.listed || msg.replace, records: msg.replace ? msg.records : [...x.records, ...msg.records] };
    case 'experimentDone':
      return { ...x, phase: msg.end, message: msg.message };
    case 'throughputProgress': {
      if (x.throughput.state !== 'measuring' || x.throughput.requestId !== msg.requestId) return x;
      const { done, total, elapsedMs, etaMs } = msg;
      return { ...x, throughput: { ...x.throughput, progress: { done, total, elapsedMs, etaMs, receivedAt: now } } };
    }
    case 'throughputMeasured': {
      if (x.throughput.state !== 'measuring' || x.throughput.requestId !== msg.requestId) return x;
      const { name, solutionMethod, record } = msg;
      return { ...x, throughput: { state: 'done', name }, measured: [...x.measured, { name, solutionMethod, record }] };
    }
    case 'encoderEvalProgress':
    case 'encoderEvalDone': {
      const encoderEval = applyEncoderEvalMessage(x.encoderEval, msg);
      return encoderEval === x.encoderEval ? x : { ...x, encoderEval };
    }
  }
}

/** Errors of the experiment and throughput requests; null when the error is not theirs. */
export function applyExperimentError(x: ExperimentsView, msg: Extract<FromWorker, { type: 'error' }>): ExperimentsView | null {
  switch (msg.op) {
    case 'experimentStart':
      return { ...x, phase: 'failed', message: msg.message };
    case 'experimentControl':
    case 'experimentList':
    case 'experimentClear':
      return { ...x, message: msg.message };
    case 'encoderEval': {
      const encoderEval = applyEncoderEvalError(x.encoderEval, msg);
      return encoderEval === x.encoderEval ? x : { ...x, encoderEval };
    }
    case 'throughput':
      if (x.throughput.state !== 'measuring' || x.throughput.requestId !== msg.requestId) return x;
      return { ...x, throughput: { state: 'error', name: x.throughput.name, message: msg.message } };
    default:
      return null;
  }
}
