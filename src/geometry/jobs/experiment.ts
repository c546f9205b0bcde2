/**
 * The paper's geometry experiment (Figs. 5-7) in one run: K contexts from a text source, J
 * continuations of each sampled by the model, one solution per continuation and R seeds for the last
 * continuation of each context, all compressed in batches; then solution distances by pairing
 * (Fig. 6), text distances (TF-IDF and semantic) against solution distances (Fig. 5), and linear
 * interpolation accuracies between seeds of one text (Fig. 7). Results are handed out piece by piece
 * as they are ready, so the page draws them while the rest runs; `shouldStop` ends it early, keeping
 * what is done.
 */
import type { Model } from '../../model/model.ts';
import type { Tokenizer } from '../../model/tokenizer.ts';
import { generatedSource, seedFor, type SourceText, type TextSource } from '../../datasets/sources.ts';
import { ProtoTrainer } from '../../prototokens/trainer.ts';
import { optimise } from '../../prototokens/optimise.ts';
import type { ProtoProblem } from '../../prototokens/problem.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../../shared/run-settings.ts';
import type { ProtoVectors } from '../../prototokens/trainer.ts';
import { addSample, remainingMs, type EtaSample } from '../../util/eta.ts';
import { cosineDistance, solutionDistances, SOLUTION_PARTS, solutionVector, type SolutionPart } from '../distances.ts';
import { pairKind, type SolutionLabel } from '../grouping.ts';
import { tfidfDistances } from '../tfidf.ts';
import { pairwiseCosine } from '../distances.ts';
import { meanHiddenEmbeddings } from './hidden-embedding.ts';
import { embedTexts, type EmbedderChoice, type EmbedderSource, type TextEmbedFn } from '../text-embedder.ts';
import { flatten } from '../path.ts';
import { meanAlongTau, scanPath } from './scan.ts';
import {
  addPartial,
  emptyGeometryResult,
  geometryProblems,
  type GeometryPartial,
  type GeometryPhase,
  type GeometryProgress,
  type GeometryResult,
  type GeometrySettings,
  type GeometrySolution,
  type GeometryText,
  type TextPairPoint,
} from '../experiment-types.ts';

export interface GeometryRunInput {
  model: Model;
  tokenizer: Tokenizer;
  /** Where the contexts come from (PG-19 in the paper). */
  source: TextSource;
  settings: GeometrySettings;
  /** Layout, first target and optimiser of the compressions (the lab's settings). */
  proto?: Partial<ProtoSettings>;
  /** Picks the semantic embedder (probing a served folder and the Hub); called once, when needed. */
  chooseEmbedder: () => Promise<EmbedderChoice>;
  loadMiniLM: (source: EmbedderSource) => Promise<TextEmbedFn>;
  /** Most solutions trained in one batch (bounds GPU memory). */
  maxBatch?: number;
  label?: string;
}

export interface GeometryHooks {
  onProgress?: (p: GeometryProgress) => void;
  onPartial?: (p: GeometryPartial) => void;
  /** Asked between units of work: true ends the run now (what is finished is kept). */
  shouldStop?: () => boolean;
  now?: () => number;
}

export interface GeometryOutcome {
  result: GeometryResult;
  stoppedBy: 'done' | 'stopped';
  seconds: number;
  /** What it takes to save the solutions as files: their vectors, kept loss and steps, and the optimiser settings. */
  kept: { vectors: ProtoVectors[]; loss: number[]; steps: number[]; settings: ProtoSettings } | null;
}

class Stopped extends Error {}

export async function runGeometryExperiment(input: GeometryRunInput, hooks: GeometryHooks = {}): Promise<GeometryOutcome> {
  const s = input.settings;
  const problems = geometryProblems(s);
  if (problems.length) throw new Error(`The geometry experiment cannot run: ${problems.join('; ')}.`);
  const { model, tokenizer } = input;
  const now = hooks.now ?? (() => performance.now());
  const started = now();
  let result = emptyGeometryResult(s);
  let kept: GeometryOutcome['kept'] = null;
  const emit = (p: GeometryPartial) => {
    result = addPartial(result, p);
    hooks.onPartial?.(p);
  };
  let samples: EtaSample[] = [];
  let phase: GeometryPhase = 'contexts';
  const progress = (ph: GeometryPhase, done: number, total: number, unit: string) => {
    if (ph !== phase) samples = [];
    phase = ph;
    const t = now() - started;
    samples = addSample(samples, { t, done });
    hooks.onProgress?.({ phase: ph, done, total, unit, elapsedMs: t, phaseLeftMs: remainingMs(samples, total) });
  };
  const checkStop = () => {
    if (hooks.shouldStop?.()) throw new Stopped();
  };

  try {
    // 1-2. Contexts and the model's continuations: one context at a time, for progress and stopping.
    progress('contexts', 0, s.contexts, 'contexts');
    const contexts = await input.source.texts({ tokenizer, length: s.length, count: s.contexts, seed: s.seed, model });
    checkStop();
    const texts: GeometryText[] = [];
    progress('generate', 0, s.contexts * s.continuations, 'texts');
    for (const [k, c] of contexts.entries()) {
      // generatedSource over this one context: the same ids and sampling seeds as the
      // command line's 'generated' source with J continuations per context.
      const one: TextSource = { name: input.source.name, describe: '', texts: async () => [c] };
      const gen = await generatedSource(one, { perContext: s.continuations }).texts({ tokenizer, length: s.length, count: s.continuations, seed: s.seed, model });
      gen.forEach((g: SourceText, j) => texts.push({ id: g.id, context: k, contextId: c.id, j, tokens: g.tokens, text: g.text, contextText: c.text }));
      progress('generate', texts.length, s.contexts * s.continuations, 'texts');
      checkStop();
    }
    emit({ kind: 'texts', texts });

    // 3. Solutions: one per text, R for the last continuation of each context; batched.
    const items: GeometrySolution[] = [];
    texts.forEach((t, i) => {
      const R = t.j === s.continuations - 1 ? s.restarts : 1;
      for (let r = 0; r < R; r++) items.push({ text: i, restart: r, seed: seedFor(s.seed, 'geometry-init', t.id, r), accuracy: 0 });
    });
    const protoSettings: ProtoSettings = { ...PAPER_SETTINGS, ...input.proto, maxSteps: s.steps, seed: s.seed };
    const vectors: ProtoVectors[] = [];
    const keptLoss: number[] = [];
    const keptSteps: number[] = [];
    const maxBatch = input.maxBatch ?? 64;
    const chunks = Math.ceil(items.length / maxBatch);
    let stopped = false;
    for (let c = 0; c < chunks && !stopped; c++) {
      const part = items.slice(c * maxBatch, (c + 1) * maxBatch);
      const problem: ProtoProblem = {
        targets: part.map((it) => texts[it.text].tokens),
        seeds: part.map((it) => it.seed),
        eRow: part.map((_, b) => 2 * b),
        mRow: part.map((_, b) => 2 * b + 1),
        P: 2 * part.length,
        fixed: new Map(),
        textOf: part.map((it) => it.text),
      };
      const trainer = await ProtoTrainer.create(model, problem, protoSettings);
      try {
        const r = await optimise(trainer, {
          onReport: (rep) => progress('compress', c * s.steps + rep.step, chunks * s.steps, 'steps'),
          gate: () => {
            if (hooks.shouldStop?.()) stopped = true;
            return stopped ? 'stop' : 'run';
          },
        });
        // Stopped before its first step: nothing was learned, its best vectors are still zeros.
        if (r.stepsExecuted > 0) {
          part.forEach((it, b) => (it.accuracy = r.last.bestCorrect[b] / s.length));
          vectors.push(...r.best);
          keptLoss.push(...r.last.bestLoss);
          keptSteps.push(...part.map(() => r.steps));
        }
      } finally {
        trainer.destroy();
      }
    }
    // A stop during compression keeps the best vectors of the batches that ran.
    const solutions = items.slice(0, vectors.length);
    const labels: SolutionLabel[] = solutions.map((it) => ({ textId: texts[it.text].id, contextId: texts[it.text].contextId }));
    const distances = Object.fromEntries(SOLUTION_PARTS.map((part) => [part, solutionDistances(vectors, part)])) as Record<SolutionPart, number[][]>;
    kept = { vectors, loss: keptLoss, steps: keptSteps, settings: protoSettings };
    emit({ kind: 'solutions', solutions, labels, distances });
    if (stopped) throw new Stopped();

    // 4. Text distances against solution distances (Fig. 5): TF-IDF over token ids, and semantic.
    progress('embed', 0, 2, 'measures');
    const tfidf = tfidfDistances(texts.map((t) => t.tokens));
    progress('embed', 1, 2, 'measures');
    const choice = await input.chooseEmbedder();
    const bos = tokenizer.addBos ? tokenizer.bosTokenId : null;
    const label = input.label ?? model.id;
    const embedded = await embedTexts(
      choice,
      texts.map((t) => t.text),
      { minilm: input.loadMiniLM, hidden: () => meanHiddenEmbeddings(model, texts.map((t) => t.tokens), { bos }) },
      label,
    );
    const semantic = pairwiseCosine(embedded.vectors);
    const first = new Map<number, number>(); // text → its first solution
    solutions.forEach((it, i) => {
      if (!first.has(it.text)) first.set(it.text, i);
    });
    const flat = new Map<number, Float64Array>([...first].map(([t, i]) => [t, solutionVector(vectors[i], 'em')]));
    const pairs: TextPairPoint[] = [];
    for (let a = 0; a < texts.length; a++) {
      for (let b = a + 1; b < texts.length; b++) {
        const kind = pairKind({ textId: texts[a].id, contextId: texts[a].contextId }, { textId: texts[b].id, contextId: texts[b].contextId });
        if (kind === 'same-text') continue;
        pairs.push({ a, b, kind, tfidf: tfidf[a][b], semantic: semantic[a][b], solution: cosineDistance(flat.get(a)!, flat.get(b)!) });
      }
    }
    progress('embed', 2, 2, 'measures');
    emit({ kind: 'textDistances', tfidf, semantic, semanticInfo: { kind: embedded.used.kind, label: embedded.used.label, reason: embedded.used.reason }, pairs });
    checkStop();

    // 5. Fig. 7: the straight segment between every two seeds of one text.
    const byText = new Map<number, number[]>();
    solutions.forEach((it, i) => byText.set(it.text, [...(byText.get(it.text) ?? []), i]));
    const todo: [number, number, number][] = [];
    for (const [t, sols] of byText) for (let x = 0; x < sols.length; x++) for (let y = x + 1; y < sols.length; y++) todo.push([t, sols[x], sols[y]]);
    progress('interpolate', 0, todo.length, 'pairs');
    for (const [n, [t, a, b]] of todo.entries()) {
      checkStop();
      const target = { layout: protoSettings.layout, firstTarget: protoSettings.firstTarget, targets: texts[t].tokens };
      const scan = await scanPath(model, { a: flatten(vectors[a].e, vectors[a].m), b: flatten(vectors[b].e, vectors[b].m), target }, null, s.scanPoints);
      emit({ kind: 'interpolation', pair: { text: t, a, b, tau: scan.tau, accuracy: scan.accuracy, meanAccuracy: meanAlongTau(scan.tau, scan.accuracy) } });
      progress('interpolate', n + 1, todo.length, 'pairs');
    }
    return { result, stoppedBy: 'done', seconds: (now() - started) / 1000, kept };
  } catch (e) {
    if (e instanceof Stopped) return { result, stoppedBy: 'stopped', seconds: (now() - started) / 1000, kept };
    throw e;
  }
}
