/**
 * The experiment and throughput messages of the worker protocol (issue 5 §4), kept apart from the
 * compression messages; protocol.ts joins them into ToWorker / FromWorker and re-exports them.
 */
import type { ExperimentSpec } from '../shared/experiment-spec.ts';
import type { SweepRecord } from '../experiments/records.ts';
import type { ThroughputRecord } from '../throughput/throughput.ts';
import type { SweepProgress } from '../experiments/jobs/sweep.ts';

export type { ExperimentSpec, SweepRecord, ThroughputRecord };

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
  | { type: 'throughput'; requestId: number; bytes: ArrayBuffer; name: string; repeats: number };

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

export type ExperimentFromWorker =
  | { type: 'experimentProgress'; progress: ExperimentProgress }
  /** Records as they are stored (replace: the whole stored set, e.g. the answer to experimentList). */
  | { type: 'experimentRecords'; records: SweepRecord[]; replace: boolean }
  | { type: 'experimentDone'; end: ExperimentEnd; message: string; ran: number; reused: number; seconds: number }
  | ({ type: 'throughputMeasured'; requestId: number } & ThroughputMeasured)
  /** Warm-up and timed pairs done of repeats + 1, running time and time left. */
  | { type: 'throughputProgress'; requestId: number; done: number; total: number; elapsedMs: number; etaMs: number | null };
