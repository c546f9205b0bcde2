/**
 * The experiments view's actions: start / pause / resume / step / cancel an experiment, clear or
 * download the stored results, measure throughput for a solution, measure an encoder. Part of
 * lab.ts's actions (the only UI code that talks to the worker).
 */
import type { EngineClient } from '../worker/client.ts';
import type { ExperimentCommand, SweepRecord } from '../worker/protocol.ts';
import type { ExperimentText } from '../shared/experiment-spec.ts';
import { checkExperimentSpec } from '../shared/experiment-spec.ts';
import { toEncoderEvalSpec, toExperimentSpec } from './experiments-settings.ts';
import { checkEncoderEvalSpec } from '../shared/encoder-eval-spec.ts';
import { encoderEvalActive, encoderEvalRefused, encoderEvalRequested } from './encoder-eval-state.ts';
import { MAX_ENCODER_BYTES } from './encoder-actions.ts';
import { formatBytes } from '../util/bytes.ts';
import { experimentActive, experimentRequested, setExperimentFiles, throughputRequested, type ExperimentsView } from './experiments-state.ts';
import { errorText } from './probes.ts';
import { downloadBlob } from './download.ts';
import { jobBlocker } from './selectors.ts';
import type { LabState } from './state.ts';
import { applyTo, type LabStore } from './store.ts';
import { readTextFiles } from '../datasets/files.ts';

export interface ExperimentActions {
  startExperiment(): void;
  experimentCommand(c: ExperimentCommand): void;
  /** Space in the experiments view: start, pause or resume, whichever fits. */
  toggleExperiment(): void;
  setExperimentFiles(files: ExperimentText[]): void;
  /** Reads picked .txt files strictly as UTF-8 (datasets/files.ts); files that are not are left out, with the reason shown. */
  pickExperimentFiles(files: File[]): void;
  clearExperimentResults(): void;
  /** The stored records (of the loaded model, or all) as a JSON-lines file, as `protolab report` reads. */
  downloadExperimentResults(all?: boolean): void;
  measureThroughput(file: File): void;
  /** Measures an encoder file on the form's texts (encoder-eval-spec.ts); cancelled like an experiment. */
  evaluateEncoder(file: File): void;
  stopEncoderEval(): void;
}

/** Why the experiment cannot start now, or null. */
export function experimentBlocker(s: LabState): string | null {
  if (s.model.state !== 'ready') return 'Load a model first.';
  const busy = jobBlocker(s);
  if (busy) return busy;
  const problems = checkExperimentSpec(toExperimentSpec(s.settings, s.experiments.files));
  return problems.length > 0 ? problems.join(' ') : null;
}

/** Why the encoder measurement cannot start now, or null. */
export function encoderEvalBlocker(s: LabState): string | null {
  if (s.model.state !== 'ready') return 'Load a model first.';
  const busy = jobBlocker(s);
  if (busy) return busy;
  const problems = checkEncoderEvalSpec(toEncoderEvalSpec(s.settings, s.experiments.files));
  return problems.length > 0 ? problems.join(' ') : null;
}

/** The records of the loaded model (the tables and plots show these); all of them when none is loaded. */
export function recordsOfModel(records: readonly SweepRecord[], fingerprint: string | null): SweepRecord[] {
  return fingerprint === null ? [...records] : records.filter((r) => r.modelFingerprint === fingerprint);
}

export function modelRecords(s: LabState): SweepRecord[] {
  return recordsOfModel(s.experiments.records, s.model.state === 'ready' ? s.model.info.fingerprint : null);
}

export function createExperimentActions(store: LabStore, client: EngineClient): ExperimentActions {
  const get = () => store.getState();
  const patch = (fn: (x: ExperimentsView) => ExperimentsView) => applyTo(store, 'experiments', fn);
  const a: ExperimentActions = {
    startExperiment() {
      const s = get();
      if (experimentBlocker(s) !== null) return;
      patch(experimentRequested);
      client.send({ type: 'experimentStart', spec: toExperimentSpec(s.settings, s.experiments.files) });
    },
    experimentCommand(command) {
      if (!experimentActive(get().experiments.phase)) return;
      client.send({ type: 'experimentControl', command });
    },
    toggleExperiment() {
      const phase = get().experiments.phase;
      if (phase === 'running' || phase === 'starting') a.experimentCommand('pause');
      else if (phase === 'paused') a.experimentCommand('resume');
      else if (!experimentActive(phase)) a.startExperiment();
    },
    setExperimentFiles: (files) => patch((x) => setExperimentFiles(x, files)),
    pickExperimentFiles(files) {
      readTextFiles(files).then(
        ({ texts, refused }) => {
          a.setExperimentFiles([...get().experiments.files.filter((t) => !texts.some((n) => n.name === t.name)), ...texts]);
          if (refused.length > 0) patch((x) => ({ ...x, message: `Left out ${refused.length} of the picked files: ${refused.join(' ')}` }));
        },
        (e: unknown) => patch((x) => ({ ...x, message: `Could not read the picked files: ${errorText(e)}` })),
      );
    },
    clearExperimentResults() {
      if (experimentActive(get().experiments.phase)) return;
      client.send({ type: 'experimentClear' });
    },
    downloadExperimentResults(all = false) {
      const s = get();
      const records = all ? s.experiments.records : modelRecords(s);
      const body = records.map((r) => `${JSON.stringify(r)}\n`).join('');
      const model = s.model.state === 'ready' ? s.model.info.label.replace(/[^\w.+-]+/gu, '_') : 'all';
      downloadBlob(new Blob([body], { type: 'application/jsonl' }), `protolab-results-${all ? 'all' : model}.jsonl`);
    },
    measureThroughput(file) {
      const s = get();
      if (s.model.state !== 'ready' || s.experiments.throughput.state === 'measuring') return;
      file.arrayBuffer().then(
        (bytes) => {
          const requestId = client.newRequestId();
          patch((x) => throughputRequested(x, file.name, requestId));
          client.send({ type: 'throughput', requestId, bytes, name: file.name, repeats: get().settings.expRepeats });
        },
        (e: unknown) => patch((x) => ({ ...x, throughput: { state: 'error', name: file.name, message: `Could not read ${file.name}: ${errorText(e)}` } })),
      );
    },
    evaluateEncoder(file) {
      const s = get();
      if (encoderEvalBlocker(s) !== null) return;
      const refuse = (message: string) => patch((x) => ({ ...x, encoderEval: encoderEvalRefused(x.encoderEval, file.name, message) }));
      if (file.size > MAX_ENCODER_BYTES) {
        refuse(`${file.name} is ${formatBytes(file.size)}, too big for an encoder file (at most ${formatBytes(MAX_ENCODER_BYTES)}).`);
        return;
      }
      const spec = toEncoderEvalSpec(s.settings, s.experiments.files);
      file.arrayBuffer().then(
        (bytes) => {
          const requestId = client.newRequestId();
          patch((x) => ({ ...x, encoderEval: encoderEvalRequested(x.encoderEval, file.name, requestId) }));
          client.send({ type: 'encoderEval', requestId, bytes, name: file.name, spec });
        },
        (e: unknown) => refuse(`Could not read ${file.name}: ${errorText(e)}`),
      );
    },
    stopEncoderEval() {
      // The measurement holds the experiment's place in the worker, so the experiment's cancel ends it.
      if (encoderEvalActive(get().experiments.encoderEval)) client.send({ type: 'experimentControl', command: 'cancel' });
    },
  };
  return a;
}
