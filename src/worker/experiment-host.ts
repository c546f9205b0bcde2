/**
 * The worker's side of the experiments view: runs an experiment's sweeps (plan.ts) with the
 * browser record store (IndexedDB, so results survive a reload and a rerun continues), streams
 * each attempt's records and throttled progress with the time left, obeys pause / resume / step /
 * cancel, measures decoding throughput for a solution file, and measures an encoder file.
 */
import type { Model } from '../model/model.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { runSweep, SweepAborted, type SweepProgress } from '../experiments/jobs/sweep.ts';
import { planExperiment } from '../experiments/jobs/plan.ts';
import { idbRecordStore, type BrowserRecordStore } from '../experiments/idb-store.ts';
import type { ExperimentSpec } from '../shared/experiment-spec.ts';
import { servedSource } from '../datasets/served.ts';
import { documentFromString, plainTextsSource, type TextSource } from '../datasets/sources.ts';
import { decodeAnySolutionBytes } from '../memory/solution-file.ts';
import { checkSolutionFits } from '../prototokens/solution-file.ts';
import { measureThroughput, subjectOf } from '../throughput/throughput.ts';
import { addSample, remainingMs, type EtaSample } from '../util/eta.ts';
import { RunControl } from './run-control.ts';
import type { EncoderEvalMeasured, ExperimentCommand, ExperimentFromWorker, ExperimentProgress, ExperimentToWorker } from './experiment-protocol.ts';
import { checkEncoderEvalSpec } from '../shared/encoder-eval-spec.ts';
import { experimentRunSettings } from '../shared/experiment-spec.ts';
import { decodeEncoderBytes } from '../encoder/file.ts';
import { evaluateEncoder, type EncoderEvalStatus } from '../experiments/jobs/encoder-eval.ts';

type Post = (msg: ExperimentFromWorker) => void;

export interface ExperimentModel {
  model: Model;
  tokenizer: Tokenizer;
}

/** Progress goes out at most this often (plus every change of phase and the last one). */
const PROGRESS_EVERY_MS = 200;

async function sourceFor(spec: Pick<ExperimentSpec, 'source' | 'files'>, dataBase: string): Promise<TextSource> {
  if (spec.source === 'files') return plainTextsSource('files', spec.files.map((f) => documentFromString(f.name, f.text)));
  return servedSource(spec.source, dataBase);
}

export class ExperimentHost {
  private store: Promise<BrowserRecordStore> | null = null;
  private active: { control: RunControl; abort: AbortController; finished: Promise<void> } | null = null;

  constructor(
    private readonly post: Post,
    /** Where /data/ is (the dev server's shared text sources). */
    private readonly dataBase: string,
    private readonly openStore: () => Promise<BrowserRecordStore> = () => idbRecordStore(),
  ) {}

  get running(): boolean {
    return this.active !== null;
  }

  /** Whether a throughput timing runs (not an experiment run, so not `running`; the engine asks both). */
  get timing(): boolean {
    return this.timingNow;
  }

  private timingNow = false;
  private timingEnd: Promise<void> = Promise.resolve();

  /** Settles once the running throughput timing (if any) has ended. */
  get timingFinished(): Promise<void> {
    return this.timingEnd;
  }

  /** Settles once the running experiment (if any) has ended. */
  get finished(): Promise<void> {
    return this.active?.finished ?? Promise.resolve();
  }

  private records(): Promise<BrowserRecordStore> {
    this.store ??= this.openStore().catch((e: unknown) => {
      this.store = null;
      throw e;
    });
    return this.store;
  }

  /** Messages that need no model. */
  async handle(msg: Extract<ExperimentToWorker, { type: 'experimentControl' | 'experimentList' | 'experimentClear' }>): Promise<void> {
    switch (msg.type) {
      case 'experimentControl':
        return this.command(msg.command);
      case 'experimentList': {
        const s = await this.records();
        this.post({ type: 'experimentRecords', records: await s.load(), replace: true });
        return;
      }
      case 'experimentClear': {
        if (this.active) throw new Error('An experiment is running: cancel it before clearing the stored results.');
        const s = await this.records();
        await s.clear();
        this.post({ type: 'experimentRecords', records: [], replace: true });
        return;
      }
    }
  }

  private command(c: ExperimentCommand): void {
    const a = this.active;
    if (!a) throw new Error(`No experiment is running to ${c}.`);
    if (c === 'cancel') {
      a.abort.abort();
      a.control.command('stop');
    } else a.control.command(c);
    this.onPhase?.();
  }

  private onPhase: (() => void) | null = null;

  start(loaded: ExperimentModel, spec: ExperimentSpec, begin: 'run' | 'paused' = 'run'): void {
    const plan = planExperiment(spec);
    const control = new RunControl(begin === 'paused' ? 'paused' : 'run');
    const abort = new AbortController();
    // The end is announced once the host is free again, so a start right after it is accepted.
    const finished = this.run(loaded, spec, plan, control, abort).then((end) => {
      this.active = null;
      this.onPhase = null;
      this.post(end);
    });
    this.active = { control, abort, finished };
  }

  private async run(loaded: ExperimentModel, spec: ExperimentSpec, plan: ReturnType<typeof planExperiment>, control: RunControl, abort: AbortController): Promise<Extract<ExperimentFromWorker, { type: 'experimentDone' }>> {
    const { model, tokenizer } = loaded;
    const t0 = performance.now();
    let pausedMs = 0;
    let pausedSince: number | null = control.phase === 'paused' ? t0 : null;
    const active = () => performance.now() - t0 - pausedMs - (pausedSince !== null ? performance.now() - pausedSince : 0);
    let samples: EtaSample[] = [];
    let lastPost = -Infinity;
    let last: ExperimentProgress = {
      phase: 'starting', sweep: 0, sweeps: plan.length, label: plan[0].label, stage: 'texts', texts: [], length: 0,
      attempts: 0, maxAttempts: 0, step: 0, maxSteps: spec.steps, accuracy: 0, fraction: 0, elapsedMs: 0, etaMs: null,
    };
    // 'paused' once the sweep actually waits (the batch of steps already queued finishes first), as a compression reports it.
    let waiting = false;
    const phase = (): ExperimentProgress['phase'] => (abort.signal.aborted ? 'stopping' : waiting ? 'paused' : 'running');
    const send = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastPost < PROGRESS_EVERY_MS) return;
      lastPost = now;
      last = { ...last, phase: phase(), elapsedMs: active(), etaMs: remainingMs(samples, 1) };
      this.post({ type: 'experimentProgress', progress: last });
    };
    this.onPhase = () => {
      if (control.phase === 'paused') pausedSince ??= performance.now();
      else if (pausedSince !== null) {
        pausedMs += performance.now() - pausedSince;
        pausedSince = null;
      }
      send(true);
    };
    // The pause: sweeps ask this before each batch of steps; it answers at once unless paused (so
    // the optimisation loop keeps its next batch queued), and otherwise says how to wait, which the
    // loop does once the batch in flight is reported: only then is the sweep shown as paused.
    const wait = (): (() => Promise<void>) | undefined => (control.phase === 'paused' ? held : undefined);
    const held = async () => {
      pausedSince ??= performance.now();
      waiting = true;
      send(true);
      const d = await control.next();
      waiting = false;
      // Resume has already counted the pause (onPhase); a step or stop wakes it here: count up to now.
      if (pausedSince !== null) {
        pausedMs += performance.now() - pausedSince;
        pausedSince = null;
      }
      if (d === 'stop') abort.abort();
      send(true);
    };

    let ran = 0;
    let reused = 0;
    try {
      const store = await this.records();
      const source = await sourceFor(spec, this.dataBase);
      for (let i = 0; i < plan.length; i++) {
        const p = plan[i];
        await wait();
        if (abort.signal.aborted) throw new SweepAborted();
        const onProgress = (sp: SweepProgress) => {
          // Work of this sweep: attempts done plus the share of the step budget used by the batch being trained.
          const inBatch = sp.phase === 'train' ? (sp.texts.length * sp.step) / Math.max(1, sp.maxSteps) : 0;
          const sweepFraction = sp.phase === 'done' ? 1 : sp.maxAttempts > 0 ? Math.min(1, (sp.attempts + inBatch) / sp.maxAttempts) : 0;
          const fraction = (i + sweepFraction) / plan.length;
          samples = addSample(samples, { t: active(), done: fraction });
          last = { ...last, sweep: i, label: p.label, stage: sp.phase, texts: sp.texts, length: sp.length, attempts: sp.attempts, maxAttempts: sp.maxAttempts, step: sp.step, maxSteps: sp.maxSteps, accuracy: sp.accuracy, fraction };
          send(sp.phase !== 'train');
        };
        const r = await runSweep({
          model,
          tokenizer,
          source,
          sourceName: spec.source,
          texts: spec.texts,
          seeds: spec.seeds,
          textSeed: spec.textSeed,
          share: p.share,
          group: p.group,
          method: p.method,
          init: p.init,
          settings: p.settings,
          lengths: p.lengths,
          maxLength: p.maxLength,
          keepGoing: p.keepGoing,
          store,
          signal: abort.signal,
          wait,
          onProgress,
          onAttempt: (records) => this.post({ type: 'experimentRecords', records, replace: false }),
        });
        ran += r.ran;
        reused += r.reused;
      }
      last = { ...last, fraction: 1, stage: 'done' };
      samples = [];
      send(true);
      const seconds = active() / 1000;
      return { type: 'experimentDone', end: 'done', ran, reused, seconds, message: `Finished: ${ran} attempt${ran === 1 ? '' : 's'} trained, ${reused} found in the stored results.` };
    } catch (e) {
      const seconds = active() / 1000;
      if (e instanceof SweepAborted || abort.signal.aborted) {
        return { type: 'experimentDone', end: 'cancelled', ran, reused, seconds, message: 'Cancelled. Finished attempts are stored; start the same experiment again to continue where it stopped.' };
      }
      return { type: 'experimentDone', end: 'failed', ran, reused, seconds, message: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Measures an encoder (jobs/encoder-eval.ts) in the experiment's place, so the one-job rule, a
   * model switch and experimentControl's cancel treat it as an experiment; posts progress and one
   * encoderEvalDone, whatever happens.
   */
  encoderEval(loaded: ExperimentModel, msg: Extract<ExperimentToWorker, { type: 'encoderEval' }>): void {
    const control = new RunControl('run');
    const abort = new AbortController();
    const finished = this.runEncoderEval(loaded, msg, control, abort).then((end) => {
      this.active = null;
      this.post(end);
    });
    this.active = { control, abort, finished };
  }

  private async runEncoderEval({ model, tokenizer }: ExperimentModel, msg: Extract<ExperimentToWorker, { type: 'encoderEval' }>, control: RunControl, abort: AbortController): Promise<Extract<ExperimentFromWorker, { type: 'encoderEvalDone' }>> {
    const { requestId, spec } = msg;
    const t0 = performance.now();
    let samples: EtaSample[] = [{ t: 0, done: 0 }];
    let lastPost = -Infinity;
    try {
      const problems = checkEncoderEvalSpec(spec);
      if (problems.length > 0) throw new Error(problems.join(' '));
      const enc = await decodeEncoderBytes(new Uint8Array(msg.bytes), msg.name, model);
      const source = await sourceFor(spec, this.dataBase);
      const onProgress = (st: EncoderEvalStatus) => {
        const t = performance.now() - t0;
        // Without a warm start the zero-shot pass is the work; with one, the step budget is (an upper bound: it ends once all are solved).
        const fraction = st.stage !== 'warm-start' ? (st.stage === 'zero-shot' ? 0.05 : 0) : 0.1 + (0.9 * st.step) / Math.max(1, st.maxSteps);
        samples = addSample(samples, { t, done: fraction });
        if (st.stage === 'warm-start' && st.step > 0 && t - lastPost < PROGRESS_EVERY_MS) return;
        lastPost = t;
        const phase = abort.signal.aborted ? 'stopping' : control.phase === 'paused' ? 'paused' : 'running';
        this.post({ type: 'encoderEvalProgress', requestId, progress: { ...st, phase, fraction, elapsedMs: t, etaMs: remainingMs(samples, 1) } });
      };
      const { result, stopped } = await evaluateEncoder({
        model, tokenizer, enc, source, texts: spec.texts, textSeed: spec.textSeed, seeds: spec.seeds, warmStart: spec.warmStart,
        settings: experimentRunSettings(spec), gate: () => control.next(), signal: abort.signal, onProgress,
      });
      const seconds = (performance.now() - t0) / 1000;
      const measured: EncoderEvalMeasured = { name: msg.name, result, seconds, stopped };
      if (stopped) return { type: 'encoderEvalDone', requestId, end: 'cancelled', measured, message: 'Cancelled during the warm start: the zero-shot accuracy is kept, the warm start is left out.' };
      return { type: 'encoderEvalDone', requestId, end: 'done', measured, message: `Measured ${msg.name} on ${result.texts} texts of ${result.length} tokens in ${seconds.toFixed(1)} s.` };
    } catch (e) {
      if (abort.signal.aborted) return { type: 'encoderEvalDone', requestId, end: 'cancelled', measured: null, message: 'Cancelled before the zero-shot accuracy was measured.' };
      return { type: 'encoderEvalDone', requestId, end: 'failed', measured: null, message: `${msg.name}: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** Times the solution's own method and the other one at the same length (stand-in vectors), as `protolab throughput` does. */
  async throughput({ model }: ExperimentModel, msg: Extract<ExperimentToWorker, { type: 'throughput' }>): Promise<void> {
    // Set before the first await, so a start arriving meanwhile is refused (engine.ts, jobs.ts),
    // and a model switch waits for the end before it destroys the model being timed.
    this.timingNow = true;
    let ended = (): void => {};
    this.timingEnd = new Promise((resolve) => (ended = resolve));
    try {
      if (!Number.isInteger(msg.repeats) || msg.repeats < 1 || msg.repeats > 100) throw new Error(`Repeats must be a whole number from 1 to 100, got ${msg.repeats}.`);
      const any = await decodeAnySolutionBytes(new Uint8Array(msg.bytes), msg.name);
      checkSolutionFits(any.solution.meta, model);
      const subject = subjectOf(any);
      const t0 = performance.now();
      let samples: EtaSample[] = [{ t: 0, done: 0 }];
      const onProgress = (done: number, total: number) => {
        const t = performance.now() - t0;
        samples = addSample(samples, { t, done });
        this.post({ type: 'throughputProgress', requestId: msg.requestId, done, total, elapsedMs: t, etaMs: remainingMs(samples, total) });
      };
      const record = await measureThroughput(model, subject, { repeats: msg.repeats, onProgress });
      this.post({ type: 'throughputMeasured', requestId: msg.requestId, name: msg.name, solutionMethod: any.method, record });
    } finally {
      this.timingNow = false;
      ended();
    }
  }
}
