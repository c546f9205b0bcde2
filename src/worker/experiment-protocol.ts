/**
 * The experiment and throughput messages of the worker protocol (issue 5 §4), kept apart from the
 * compression messages; protocol.ts joins them into ToWorker / FromWorker and re-exports them.
 */
import type { ExperimentSpec } from '../shared/experiment-spec.ts';
import type { SweepRecord } from '../experiments/records.ts';
import type { ThroughputRecord } from '../throughput/throughput.ts';
import type { SweepProgress } from '../experiments/jobs/sweep.ts';
import type { EncoderEvalSpec } from '../shared/encoder-eval-spec.ts';
import type { EncoderEvalResult, EncoderEvalStatus } from '../experiments/jobs/encoder-eval.ts';

export type { EncoderEvalResult, EncoderEvalSpec, ExperimentSpec, SweepRecord, ThroughputRecord };

export type ExperimentCommand = 'pause' | 'resume' | 'step' | 'cancel';

export type ExperimentToWorker =
  /** Runs (or continues: stored attempts are skipped) an experiment; `begin: 'paused'` waits for resume. */
  | { type: 'experimentStart'; spec: ExperimentSpec; begin?: 'run' | 'paused' }
  /** step: one batch of optimisation steps, then pause. */
  | { type: 'experimentControl'; command: ExperimentCommand }
  /** Every stored record (answered by experimentRecords with replace). */
  | { type: 'experimentList' }
  /** Deletes every stored record. */
  | { type: 'experimentClear' }
  /** Times reproducing a solution's text by one forward pass and by KV-cached autoregressive decoding. */
  | { type: 'throughput'; requestId: number; bytes: ArrayBuffer; name: string; repeats: number }
  /**
   * Measures an encoder file on texts of its length (zero-shot, and the warm start when asked). It
   * holds the experiment's place: experimentControl's pause, resume and cancel act on it.
   */
  | { type: 'encoderEval'; requestId: number; bytes: ArrayBuffer; name: string; spec: EncoderEvalSpec };

export type ExperimentPhase = 'starting' | 'running' | 'paused' | 'stopping';

/** The sweep's own progress (its batch of texts, length, attempts, step, weakest accuracy), as the experiment reports it. */
export interface ExperimentProgress extends Pick<SweepProgress, 'texts' | 'length' | 'attempts' | 'maxAttempts' | 'step' | 'maxSteps' | 'accuracy'> {
  phase: ExperimentPhase;
  /** Sweep being run, 0-based, of `sweeps`, and what it is. */
  sweep: number;
  sweeps: number;
  label: string;
  /** What the sweep is doing: fetching texts, scoring them (H_LM), training. */
  stage: SweepProgress['phase'];
  /** Share of the whole experiment done, 0..1 (steps budgets count in full: an upper bound on the work). */
  fraction: number;
  /** Running time, pauses excluded, and the estimated time left (null: not known yet). */
  elapsedMs: number;
  etaMs: number | null;
}

export type ExperimentEnd = 'done' | 'cancelled' | 'failed';

export interface ThroughputMeasured {
  name: string;
  solutionMethod: 'oneshot' | 'memory';
  record: ThroughputRecord;
}

/** An encoder measurement's stage and, in the warm start, its step; share done (the step budget counted in full), running time and time left. */
export interface EncoderEvalProgress extends EncoderEvalStatus {
  phase: ExperimentPhase;
  fraction: number;
  elapsedMs: number;
  etaMs: number | null;
}

export interface EncoderEvalMeasured {
  /** The encoder file's name. */
  name: string;
  result: EncoderEvalResult;
  seconds: number;
  /** Stopped during the warm start: the zero-shot part stands, the warm start is left out. */
  stopped: boolean;
}

export type ExperimentFromWorker =
  | { type: 'experimentProgress'; progress: ExperimentProgress }
  /** Records as they are stored (replace: the whole stored set, e.g. the answer to experimentList). */
  | { type: 'experimentRecords'; records: SweepRecord[]; replace: boolean }
  | { type: 'experimentDone'; end: ExperimentEnd; message: string; ran: number; reused: number; seconds: number }
  | ({ type: 'throughputMeasured'; requestId: number } & ThroughputMeasured)
  /** Warm-up and timed pairs done of repeats + 1, running time and time left. */
  | { type: 'throughputProgress'; requestId: number; done: number; total: number; elapsedMs: number; etaMs: number | null }
  | { type: 'encoderEvalProgress'; requestId: number; progress: EncoderEvalProgress }
  /** measured: null when it failed (message says why) or was cancelled before the zero-shot part ended. */
  | { type: 'encoderEvalDone'; requestId: number; end: ExperimentEnd; message: string; measured: EncoderEvalMeasured | null };
