/**
 * The engine behind the worker: owns the GPU device, the model, its tokenizer and at most one
 * running optimisation, and answers protocol messages. Heavy requests wait for a model load in
 * progress; pause/resume/step/stop act at once.
 */
import { createBrowserGpu } from '../gpu/browser.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { evaluateTokens } from '../model/evaluate.ts';
import { loadModel } from '../model/load.ts';
import type { Model } from '../model/model.ts';
import { loadTokenizer, type Tokenizer } from '../model/tokenizer.ts';
import { tokenizeBounded } from '../model/tokenize-bounded.ts';
import { decodeOnePass } from '../prototokens/decode.ts';
import { warmUpStep } from '../prototokens/warm-up.ts';
import { checkSolutionFits, decodeSolutionBytes } from '../prototokens/solution-file.ts';
import { type FromWorker, type ModelSourceSpec, type ToWorker } from './protocol.ts';
import { maxTokensForRun } from '../shared/run-method.ts';
import { openSource, sourceLabel } from './model-source.ts';
import { jobBusyMessage, runningJob } from '../shared/jobs.ts';
import { ActiveRun } from './run.ts';
import { ExperimentHost } from './experiment-host.ts';
import { GeometryHost } from './geometry-host.ts';
import { InterpHost } from './interp-host.ts';
import { EncoderHost } from './encoder-host.ts';
import type { WeightChoice } from '../model/weight-format.ts';
import { DEFAULT_PLAN_N, modelMemory, weightsRule } from '../prototokens/memory-plan.ts';

/** The text length the model panel's memory figures (and `auto`) plan for. */
const PLAN_TOKENS = DEFAULT_PLAN_N;

type Post = (msg: FromWorker) => void;

interface Loaded {
  model: Model;
  tokenizer: Tokenizer;
  label: string;
}

/** At most one progress message per interval per phase, plus the final one. */
function throttled(post: Post, everyMs = 100): Post {
  let lastAt = 0;
  return (msg) => {
    const now = performance.now();
    const final = msg.type === 'modelProgress' && msg.loaded >= msg.total;
    if (final || now - lastAt >= everyMs) {
      lastAt = now;
      post(msg);
    }
  };
}

export class Engine {
  private gpu: Gpu | null = null;
  private loaded: Loaded | null = null;
  /** The latest model load (or a settled promise); requests that need the model wait on it. */
  private loading: Promise<void> = Promise.resolve();
  private run: ActiveRun | null = null;
  /** Experiments and throughput (the experiments view); the data sources are the dev server's /data/. */
  /** The interpolation view's pair of solutions and its path jobs. */
  private readonly interp = new InterpHost((m) => this.post(m));
  private readonly experiments = new ExperimentHost((m) => this.post(m), new URL('/data/', globalThis.location?.href ?? 'http://localhost/').href);
  /** The geometry view's experiment (Figs. 5-7); contexts from /data/, a served MiniLM from /models/. */
  private readonly geometry = new GeometryHost(
    (m) => this.post(m),
    new URL('/data/', globalThis.location?.href ?? 'http://localhost/').href,
    new URL('/models/', globalThis.location?.href ?? 'http://localhost/').href,
  );
  /** The encoder the page loaded for this model: its predictions, and runs that start from them. */
  private readonly encoders = new EncoderHost((m) => this.post(m));
  private lastStep = 0;
  /** The model last asked for: reloaded on a new device when the device is lost. */
  private lastLoad: { source: ModelSourceSpec; label?: string; weights?: WeightChoice } | null = null;

  constructor(private readonly post: Post) {}

  handle(msg: ToWorker): void {
    const fail = (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.post({ type: 'error', op: msg.type, message, ...('requestId' in msg ? { requestId: msg.requestId } : {}) });
    };
    try {
      switch (msg.type) {
        case 'loadModel':
          this.lastLoad = { source: msg.source, label: msg.label, weights: msg.weights };
          this.loading = this.loadModel(msg.source, msg.label, msg.weights).catch(fail);
          return;
        case 'loseDevice':
          // A recovery drill: the same path a driver reset or a GPU process crash takes.
          if (!this.gpu) throw new Error('No GPU device is open: load a model first.');
          this.gpu.device.destroy();
          return;
        case 'tokenize':
          void this.withModel((m) => this.tokenize(m, msg)).catch(fail);
          return;
        case 'start':
          void this.startJob((m) => this.start(m, msg)).catch(fail);
          return;
        case 'pause':
        case 'resume':
        case 'step':
        case 'stop':
          if (!this.run) throw new Error(`Nothing is running to ${msg.type}.`);
          this.run.command(msg.type, this.lastStep);
          return;
        case 'decode':
        case 'checkSolution':
          void this.withModel((m) => this.decode(m, msg)).catch(fail);
          return;
        case 'evaluate':
          void this.withModel((m) => this.evaluate(m, msg)).catch(fail);
          return;
        case 'pathPair':
          void this.withModel((m) => this.interp.setPair(m.model, m.tokenizer, msg)).catch(fail);
          return;
        case 'pathScan':
        case 'bezierTrain':
          void this.startJob((m) => (msg.type === 'pathScan' ? this.interp.scan(m.model, msg) : this.interp.train(m.model, msg))).catch(fail);
          return;
        case 'bezierStop':
          this.interp.stop();
          return;
        case 'pathDecode':
          void this.withModel((m) => this.interp.decode(m.model, m.tokenizer, msg)).catch(fail);
          return;
        case 'experimentStart':
          void this.startJob((m) => this.experiments.start(m, msg.spec, msg.begin)).catch(fail);
          return;
        case 'experimentControl':
        case 'experimentList':
        case 'experimentClear':
          void this.experiments.handle(msg).catch(fail);
          return;
        case 'throughput':
          // Timings taken while another job runs would measure it too.
          void this.startJob((m) => this.experiments.throughput(m, msg)).catch(fail);
          return;
        case 'encoderEval':
          void this.startJob((m) => this.experiments.encoderEval(m, msg)).catch(fail);
          return;
        case 'geometryStart':
          void this.startJob((m) => this.geometry.start(m, msg)).catch(fail);
          return;
        case 'geometryStop':
          this.geometry.stop();
          return;
        case 'hiddenEmbed':
          void this.withModel((m) => this.geometry.hiddenEmbed(m, msg)).catch(fail);
          return;
        case 'geometryCompare':
          void this.geometry.compare(msg).catch(fail);
          return;
        case 'geometrySolutions':
          void this.geometry.solutionFiles(msg).catch(fail);
          return;
        case 'loadEncoder':
          void this.withModel((m) => this.encoders.load(m, msg)).catch(fail);
          return;
        case 'unloadEncoder':
          this.encoders.unload();
          return;
        case 'encoderPredict':
          void this.withModel((m) => this.encoders.predict(m, msg)).catch(fail);
          return;
        default:
          throw new Error(`Unknown message ${JSON.stringify((msg as { type?: unknown }).type)}.`);
      }
    } catch (e) {
      fail(e);
    }
  }

  private async withModel<T>(fn: (m: Loaded) => Promise<T> | T): Promise<T> {
    await this.loading;
    if (!this.loaded) throw new Error('No model is loaded: pick a model first.');
    return fn(this.loaded);
  }

  /**
   * Starts a long job once the model is there, unless another job is running (of any kind: one at
   * a time, see jobs.ts). Checked when the job would start, so a start queued behind a model load
   * is judged by what runs then.
   */
  private startJob<T>(fn: (m: Loaded) => Promise<T> | T): Promise<T> {
    return this.withModel((m) => {
      const job = runningJob({ compressing: this.run !== null, experimenting: this.experiments.running, timing: this.experiments.timing, geometry: this.geometry.running, interpolating: this.interp.busy });
      if (job) throw new Error(jobBusyMessage(job));
      return fn(m);
    });
  }

  private async stopRun(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.command('stop', this.lastStep);
    await run.finished.catch(() => undefined);
  }

  private async loadModel(spec: ModelSourceSpec, given?: string, weights?: WeightChoice): Promise<void> {
    await this.loading.catch(() => undefined);
    const label = given || sourceLabel(spec);
    const started = performance.now();
    await this.stopRun();
    await this.interp.release();
    if (this.experiments.running) {
      await this.experiments.handle({ type: 'experimentControl', command: 'cancel' });
      await this.experiments.finished;
    }
    if (this.geometry.running) {
      this.geometry.stop();
      await this.geometry.finished.catch(() => undefined);
    }
    // A timing cannot be cancelled, and it is seconds long: let it end on the model it times.
    await this.experiments.timingFinished;
    if (this.loaded) {
      this.loaded.model.destroy();
      this.loaded = null;
    }
    const progress = throttled(this.post);
    const source = openSource(spec, (p) => progress({ type: 'modelProgress', label, phase: 'download', file: p.file, loaded: p.loaded, total: p.total }));
    const gpu = await this.device();
    const tokenizer = await loadTokenizer(source);
    const model = await loadModel(gpu, source, {
      format: weightsRule(weights, PLAN_TOKENS, gpu),
      onProgress: (p) => progress({ type: 'modelProgress', label, phase: 'upload', file: p.tensor, loaded: p.loadedBytes, total: p.totalBytes }),
    });
    this.loaded = { model, tokenizer, label };
    this.encoders.modelChanged(model);
    const { spec: s } = model;
    const i = gpu.info;
    this.post({
      type: 'modelReady',
      id: model.id,
      label,
      fingerprint: model.fingerprint,
      spec: {
        arch: s.arch,
        family: s.family,
        vocabSize: s.vocabSize,
        hidden: s.hidden,
        layers: s.layers,
        heads: s.heads,
        kvHeads: s.kvHeads,
        maxPositions: s.maxPositions,
        parameterCount: model.parameterCount,
        bosTokenId: tokenizer.bosTokenId ?? s.bosTokenId,
      },
      adapter: { vendor: i.vendor, architecture: i.architecture, description: i.description, isFallbackAdapter: i.isFallbackAdapter, cpuEmulated: gpu.cpuEmulated },
      seconds: (performance.now() - started) / 1000,
      memory: modelMemory(model, PLAN_TOKENS),
    });
    // While a text is being pasted: compile a step's pipelines (side by side, off this thread, where
    // the platform can; elsewhere it would hold the worker). A failure here is the first run's to report.
    if (gpu.parallelCompiles) void warmUpStep(model).catch(() => undefined);
  }

  private async device(): Promise<Gpu> {
    if (this.gpu && !this.gpu.lost) return this.gpu;
    const gpu = await createBrowserGpu();
    gpu.onLost((reason) => {
      if (this.gpu !== gpu) return;
      this.gpu = null;
      this.loaded = null;
      // The run died with its device: let it wind down, but free the slot now, so the resumed run
      // the page starts once the model is back is not refused as a second one.
      this.run?.control.command('stop');
      this.run = null;
      this.post({ type: 'deviceLost', reason });
      // Recover at once: a new device and the same model; the page resumes the interrupted run
      // from its last checkpoint once the model is ready again.
      const again = this.lastLoad;
      if (again) {
        this.loading = this.loadModel(again.source, again.label, again.weights).catch((e: unknown) =>
          this.post({ type: 'error', op: 'loadModel', message: `The GPU device was lost and reloading the model on a new one failed: ${e instanceof Error ? e.message : String(e)}` }),
        );
      }
    });
    this.gpu = gpu;
    return gpu;
  }

  private tokenize({ tokenizer, model }: Loaded, msg: Extract<ToWorker, { type: 'tokenize' }>): void {
    const maxTokens = maxTokensForRun(model.spec.maxPositions, msg, msg.method);
    // A pasted book is not tokenized whole: it is surely too long, and that would hold the worker for minutes.
    const { ids, partial } = tokenizeBounded(tokenizer, msg.text, maxTokens);
    this.post({ type: 'tokens', requestId: msg.requestId, ids, pieces: tokenizer.tokenStrings(ids), maxTokens, tooLong: partial || ids.length > maxTokens, ...(partial ? { partial } : {}) });
  }

  private start(loaded: Loaded, msg: Extract<ToWorker, { type: 'start' }>): void {
    const { ids, settings } = msg;
    if (ids.length === 0) throw new Error('The text has no tokens: paste some text first.');
    const maxTokens = maxTokensForRun(loaded.model.spec.maxPositions, settings, msg.method);
    if (ids.length > maxTokens) throw new Error(`The text has ${ids.length} tokens but ${loaded.label} takes at most ${maxTokens} with this ${msg.method?.kind === 'memory' ? 'many memory vectors' : 'layout'}; shorten it.`);
    // A resumed run's restored state replaces its start; only what the encoder got right is carried on.
    const fromCheckpoint = msg.resume?.encoder;
    const encoder = fromCheckpoint ? () => Promise.resolve(fromCheckpoint) : !msg.resume && msg.from === 'encoder' ? this.encoders.runStart(loaded.model, ids, settings) : undefined;
    this.lastStep = msg.resume?.step ?? 0;
    const gpu = loaded.model.gpu;
    const run = new ActiveRun(loaded.model, loaded.tokenizer, ids, msg.text, settings, (m) => {
      // A run whose device was lost says nothing more: the page is already resuming it elsewhere.
      if (gpu.lost) return;
      if (m.type === 'progress' || m.type === 'runState') this.lastStep = m.step;
      this.post(m);
    }, loaded.label, msg.begin ?? 'run', { method: msg.method, resume: msg.resume, encoder });
    this.run = run;
    run.finished
      .catch(async (e: unknown) => {
        // A lost device fails the run's pending reads before the loss itself is reported; that
        // failure is the loss, which 'deviceLost' explains and recovers from, not an error of its own.
        if (!gpu.lost) await new Promise((r) => setTimeout(r, 1000));
        if (gpu.lost) return;
        this.post({ type: 'error', op: 'run', message: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => {
        if (this.run === run) this.run = null;
      });
  }

  private async decode({ model, tokenizer }: Loaded, msg: Extract<ToWorker, { type: 'decode' | 'checkSolution' }>): Promise<void> {
    const solution = await decodeSolutionBytes(new Uint8Array(msg.bytes), msg.name);
    checkSolutionFits(solution.meta, model);
    const { meta } = solution;
    const ids = await decodeOnePass(model, solution, meta.layout, meta.firstTarget, meta.targetIds.length);
    const cTokens = ids.filter((t, i) => t === meta.targetIds[i]).length;
    this.post({ type: 'decoded', requestId: msg.requestId, name: msg.name, meta, ids, pieces: tokenizer.tokenStrings(ids), text: tokenizer.decode(ids), cTokens });
  }

  private async evaluate({ model }: Loaded, msg: Extract<ToWorker, { type: 'evaluate' }>): Promise<void> {
    const r = await evaluateTokens(model, msg.ids);
    this.post({ type: 'evaluated', requestId: msg.requestId, ids: msg.ids, nll: r.nll, argmax: r.argmax, hLm: r.hLm });
  }
}
