/**
 * The worker's side of the geometry view: runs the paper's geometry experiment (src/geometry/
 * experiment.ts) on the loaded model with contexts from the dev server's /data/ text sources,
 * forwards its partial results and throttled progress, stops it on request, and answers
 * hidden-state text embeddings.
 */
import type { Model } from '../model/model.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { servedSource } from '../datasets/served.ts';
import type { TextSource } from '../datasets/sources.ts';
import { runGeometryExperiment, type GeometryOutcome } from '../geometry/jobs/experiment.ts';
import { meanHiddenEmbeddings } from '../geometry/jobs/hidden-embedding.ts';
import { chooseEmbedder, findLocalMiniLM, MINILM_HUB_REPO } from '../geometry/text-embedder.ts';
import { loadMiniLM, probeHub } from '../geometry/minilm.ts';
import { decodeSolutionBytes, encodeSolution, solutionMeta, type Solution } from '../prototokens/solution-file.ts';
import { SOLUTION_PARTS, solutionDistances, type SolutionPart } from '../geometry/distances.ts';
import type { GeometryFromWorker, GeometryToWorker } from './geometry-protocol.ts';

type Post = (msg: GeometryFromWorker) => void;

/** Progress goes out at most this often (plus each change of phase). */
const PROGRESS_EVERY_MS = 200;

export interface GeometryModel {
  model: Model;
  tokenizer: Tokenizer;
  label: string;
}

export class GeometryHost {
  private active: { stop: boolean; finished: Promise<void> } | null = null;
  /** The last experiment's solutions, for saving them as files. */
  private last: { outcome: GeometryOutcome; model: Model } | null = null;

  constructor(
    private readonly post: Post,
    /** Where /data/ is (the dev server's shared text sources) and /models/ (a served MiniLM). */
    private readonly dataBase: string,
    private readonly modelsBase: string,
    /** The contexts' text source by name (tests give files instead of the dev server's /data/). */
    private readonly sourceFor: (name: string) => Promise<TextSource> = (name) => servedSource(name, dataBase),
    /** Whether the Hub answers (tests answer without the network). */
    private readonly hubProbe: typeof probeHub = probeHub,
  ) {}

  get running(): boolean {
    return this.active !== null;
  }

  get finished(): Promise<void> {
    return this.active?.finished ?? Promise.resolve();
  }

  stop(): void {
    if (!this.active) throw new Error('No geometry experiment is running to stop.');
    this.active.stop = true;
  }

  /** Starts the experiment; the promise settles when it ends (rejecting with what went wrong). */
  start(m: GeometryModel, msg: Extract<GeometryToWorker, { type: 'geometryStart' }>): Promise<void> {
    const state = { stop: false, finished: Promise.resolve() };
    let lastProgress = 0;
    let lastPhase = '';
    state.finished = (async () => {
      this.last = null;
      const source = await this.sourceFor(msg.settings.source);
      const out = await runGeometryExperiment(
        {
          model: m.model,
          tokenizer: m.tokenizer,
          source,
          settings: msg.settings,
          proto: msg.proto,
          label: m.label,
          chooseEmbedder: async () => {
            const local = findLocalMiniLM(msg.served);
            // The Hub is asked only when it matters (no served copy, MiniLM not ruled out).
            const hub = msg.settings.embedder === 'model' || local.found ? { reachable: false as const, why: 'not asked' } : await this.hubProbe(MINILM_HUB_REPO);
            return chooseEmbedder(msg.settings.embedder, local, hub, m.label, this.modelsBase);
          },
          loadMiniLM,
        },
        {
          shouldStop: () => state.stop,
          onPartial: (partial) => this.post({ type: 'geometryPartial', partial }),
          onProgress: (progress) => {
            const t = performance.now();
            if (progress.phase === lastPhase && t - lastProgress < PROGRESS_EVERY_MS && progress.done < progress.total) return;
            lastPhase = progress.phase;
            lastProgress = t;
            this.post({ type: 'geometryProgress', progress });
          },
        },
      );
      this.last = { outcome: out, model: m.model };
      this.post({ type: 'geometryDone', stoppedBy: out.stoppedBy, seconds: out.seconds });
    })().finally(() => {
      if (this.active === state) this.active = null;
    });
    this.active = state;
    return state.finished;
  }

  async hiddenEmbed(m: GeometryModel, msg: Extract<GeometryToWorker, { type: 'hiddenEmbed' }>): Promise<void> {
    const bos = m.tokenizer.addBos ? m.tokenizer.bosTokenId : null;
    const vectors = await meanHiddenEmbeddings(m.model, msg.texts.map((t) => m.tokenizer.encode(t)), { bos });
    this.post({ type: 'hiddenEmbedded', requestId: msg.requestId, label: `${m.label}: mean-pooled final hidden states (not MiniLM)`, vectors: vectors.map((v) => Array.from(v)) });
  }

  /** Reads every solution file and answers their pairwise distances; different models are refused by name. */
  async compare(msg: Extract<GeometryToWorker, { type: 'geometryCompare' }>): Promise<void> {
    if (msg.items.length < 2) throw new Error('Pick at least two solutions to compare.');
    const sols: (Solution & { name: string })[] = [];
    for (const it of msg.items) sols.push({ name: it.name, ...(await decodeSolutionBytes(new Uint8Array(it.bytes), it.name)) });
    const first = sols[0];
    const other = sols.find((s) => s.meta.modelFingerprint !== first.meta.modelFingerprint || s.e.length !== first.e.length);
    if (other) throw new Error(`${first.name} and ${other.name} belong to different models (${first.meta.model}, ${other.meta.model}): distances compare solutions of one model only; pick solutions of the same model.`);
    const distances = Object.fromEntries(SOLUTION_PARTS.map((part) => [part, solutionDistances(sols, part)])) as Record<SolutionPart, number[][]>;
    this.post({ type: 'geometryCompared', requestId: msg.requestId, ids: msg.items.map((it) => it.id), distances });
  }

  /**
   * The last experiment's solutions as solution files (the same format the compress view saves),
   * tagged `geometry`, `context:<context id>` and `text:<k>.<j>`, so the library groups them.
   */
  async solutionFiles(msg: Extract<GeometryToWorker, { type: 'geometrySolutions' }>): Promise<void> {
    const last = this.last;
    if (!last?.outcome.kept || last.outcome.result.solutions.length === 0) throw new Error('No geometry experiment has solutions to keep yet: run one first.');
    if (this.active) throw new Error('The geometry experiment is running: keep its solutions once it has finished.');
    const { result, kept } = last.outcome;
    const { model } = last;
    const createdAt = new Date().toISOString();
    const files = result.solutions.map((sol, i) => {
      const t = result.texts[sol.text];
      const bytes = encodeSolution({
        e: kept!.vectors[i].e,
        m: kept!.vectors[i].m,
        // The same model name a compress run stores (worker/run.ts), so the library shows one name.
        meta: solutionMeta(
          model,
          kept!.settings,
          { targetIds: t.tokens, text: t.text, seed: sol.seed, steps: kept!.steps[i], loss: kept!.loss[i], cTokens: Math.round(sol.accuracy * t.tokens.length), seconds: last.outcome.seconds },
          createdAt,
        ),
      });
      const name = `geometry-c${t.context + 1}-t${t.j + 1}-s${sol.restart + 1}-${t.tokens.length}tok.safetensors`;
      return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, tags: ['geometry', `context:${t.contextId}`, `text:${t.context + 1}.${t.j + 1}`] };
    });
    // The metadata as the file holds it (read back, no GPU): what a library import of the file would record.
    const withMeta = [];
    for (const f of files) withMeta.push({ ...f, meta: (await decodeSolutionBytes(new Uint8Array(f.bytes), f.name)).meta });
    this.post({ type: 'geometrySolutionFiles', requestId: msg.requestId, files: withMeta });
  }
}
