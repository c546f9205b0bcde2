/**
 * The capacity sweep (issue 4 §4). For K texts of a source and S restart seeds per text, each
 * text is optimised at the ladder's prefix lengths in increasing order until it fails (the best
 * seed's accuracy < 0.99); its capacity is the longest length reached. The S seeds of a text (and,
 * with sharing, the texts of a group) run as one batch. Every attempt is appended to a record
 * store as soon as it finishes; a rerun on the same store skips what is recorded and continues
 * where it stopped, and since each attempt depends only on the records before it, an interrupted
 * and resumed sweep gives the same results as an uninterrupted one.
 *
 * The same machinery runs fixed-length experiments (Table 1 layouts, Table 2 sharing): give the
 * lengths and `keepGoing` so that a failure does not stop a text.
 *
 * Progressive sweeps (init 'progressive', issue 19) start each rung of a text from the previous
 * rung's best e and m of the same seed (the new positions take m: [e, m, ..., m] only grows); the
 * first rung is drawn. Each record stores its best vectors, and the next rung starts from the
 * stored ones, so a resumed progressive sweep starts from the very bits an uninterrupted one had.
 */
import type { Model } from '../../model/model.ts';
import type { Tokenizer } from '../../model/tokenizer.ts';
import { evaluateTokens } from '../../model/evaluate.ts';
import { entropyInput } from '../../shared/text-entropy.ts';
import { seedFor, type SourceText, type TextSource } from '../../datasets/sources.ts';
import { PAPER_SETTINGS, validateSettings, type ProtoSettings } from '../../shared/run-settings.ts';
import type { Share } from '../../prototokens/problem.ts';
import { CAPACITY_THRESHOLD, fittingLengths } from '../ladder.ts';
import { oneshotMethod, MethodUnavailableError, type SweepMethod } from './methods.ts';
import { sweepId, type RecordStore, type StopRule, type SweepInit, type SweepKey, type SweepRecord } from '../records.ts';
import { encoderId, encoderStart, progressiveFields, progressiveProblem, startsOf, SweepConflict, universalMId, universalStart } from './starts.ts';
import { predictVectors } from '../../encoder/predict.ts';
import type { EncoderParts } from '../../encoder/file.ts';
import { chunks, shardLabel, shardTexts, type Shard } from '../shard.ts';

export { storedVectors, SweepConflict } from './starts.ts';

export interface SweepOptions {
  model: Model;
  tokenizer: Tokenizer;
  source: TextSource;
  /** Recorded as the source (default source.name). */
  sourceName?: string;
  /** K texts and S restart seeds per text. */
  texts: number;
  seeds: number;
  /** Seed of the text selection (default 0) and base of the restart seeds (default 0). */
  textSeed?: number;
  seedBase?: number;
  /** Share m or e within groups of `group` consecutive texts (default: nothing shared). */
  share?: Share;
  group?: number;
  method?: SweepMethod;
  /** Where each attempt starts: 'normal' (default) draws from the restart seed; 'progressive' continues the previous rung's best; 'universal-m' (frozen) takes universalM; 'encoder' the encoder's prediction. */
  init?: SweepInit;
  /** The m of the universal-m inits (prototokens/universal-m.ts). */
  universalM?: Float32Array;
  /** The encoder of the encoder init (src/encoder/): every attempt starts from its prediction. */
  encoder?: EncoderParts;
  /** Layout, first target and optimiser (default PAPER_SETTINGS; its seed is unused: see seedBase). */
  settings?: ProtoSettings;
  /** Lengths to try (default the paper's ladder), cut to the model and to maxLength. */
  lengths?: readonly number[];
  maxLength?: number;
  /**
   * Run only this shard's part of the texts (shard.ts): the same sweep (same key, same records)
   * cut over workers. Absent: every text.
   */
  shard?: Shard;
  /** Try every length even after a failure (fixed-length tables); default false. */
  keepGoing?: boolean;
  /** Default 'text': a batch stops once every text has a seed with every token right. */
  stop?: StopRule;
  threshold?: number;
  /** Unshared texts optimised in one batch (independent items; default 1). Results do not depend on it. */
  pack?: number;
  store: RecordStore;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** Each attempt's lines, once stored. */
  onAttempt?: (records: SweepRecord[]) => void;
  /**
   * Asked before each batch of optimisation steps: a promise while paused (the lab's pause holds
   * the sweep there), nothing otherwise, so the next batch stays queued. The time spent waiting is
   * left out of the attempt's recorded seconds.
   */
  wait?: () => (() => Promise<void>) | undefined;
  now?: () => number;
}

export interface SweepProgress {
  phase: 'texts' | 'entropy' | 'train' | 'done';
  /** Batch of texts (unit) being worked on, 0-based, of `units`. */
  unit: number;
  units: number;
  texts: string[];
  length: number;
  /** Attempts done (stored or found) so far, and an upper bound on all attempts. */
  attempts: number;
  maxAttempts: number;
  step: number;
  maxSteps: number;
  /** Best accuracy so far of the weakest text in the batch. */
  accuracy: number;
}

export interface SweepResult {
  key: SweepKey;
  sweep: string;
  texts: SweepText[];
  /** Every record of this sweep for these texts (found and new), in ladder order per text. */
  records: SweepRecord[];
  ran: number;
  reused: number;
}

export interface SweepText {
  id: string;
  /** Position in the sweep's whole text list (the same in every shard). */
  index: number;
  tokens: number[];
  /** H_LM of each prefix: hLm[L] for L = 0..tokens.length (nats). */
  hLm: number[];
  hLmFirstToken: boolean;
  lengths: number[];
}

/** The sweep was stopped through its signal; everything finished before that is stored. */
export class SweepAborted extends Error {
  override name = 'SweepAborted';
  constructor() {
    super('The sweep was interrupted; run it again with the same results file to continue.');
  }
}


function modelName(model: Model): string {
  return model.id.split(/[\\/]/u).filter(Boolean).pop() ?? model.id;
}

/** Restart seed s of a text: depends on the text's id, not on its position or the batch. */
export function restartSeed(seedBase: number, textId: string, s: number): number {
  return seedFor(seedBase, 'restart', textId, s);
}

/** The key of a sweep with these options (what identifies its records). */
export function sweepKey(o: Pick<SweepOptions, 'model' | 'source' | 'sourceName' | 'seeds' | 'textSeed' | 'seedBase' | 'share' | 'group' | 'method' | 'init' | 'universalM' | 'encoder' | 'settings' | 'keepGoing' | 'stop' | 'threshold'>): SweepKey {
  const s = o.settings ?? PAPER_SETTINGS;
  const share = o.share ?? 'none';
  const method = o.method ?? oneshotMethod;
  return {
    method: method.name,
    ...(method.memoryTokens !== undefined ? { memoryTokens: method.memoryTokens } : {}),
    model: modelName(o.model),
    modelFingerprint: o.model.fingerprint,
    layout: s.layout,
    firstTarget: s.firstTarget,
    share,
    group: share === 'none' ? 1 : (o.group ?? 1),
    source: o.sourceName ?? o.source.name,
    textSeed: o.textSeed ?? 0,
    seeds: o.seeds,
    seedBase: o.seedBase ?? 0,
    settings: { lr: s.lr, beta1: s.beta1, beta2: s.beta2, eps: s.eps, weightDecay: s.weightDecay, maxSteps: s.maxSteps, init: s.init, patience: s.patience, reportEvery: s.reportEvery },
    stop: o.stop ?? 'text',
    keepGoing: o.keepGoing ?? false,
    threshold: o.threshold ?? CAPACITY_THRESHOLD,
    init: o.init ?? 'normal',
    ...(o.universalM ? { universalM: universalMId(o.universalM) } : {}),
    ...(o.encoder ? { encoder: encoderId(o.encoder) } : {}),
  };
}

/** H_LM (Eq. 3) of every prefix, from one forward pass over the text (which tokens count: shared/text-entropy.ts). */
async function prefixEntropy(model: Model, tokenizer: Tokenizer, tokens: number[]): Promise<{ hLm: number[]; first: boolean }> {
  const { ids, firstToken } = entropyInput(tokens, model.spec.bosTokenId ?? tokenizer.bosTokenId, model.spec.maxPositions);
  const { nll } = ids.length > 1 ? await evaluateTokens(model, ids) : { nll: [] as number[] };
  // Without BOS, t_1 has no context and is left out: prefix L sums the NLL of t_2..t_L.
  const hLm = firstToken ? [0] : [0, 0];
  for (const x of nll) hLm.push(hLm[hLm.length - 1] + x);
  return { hLm, first: firstToken };
}

const recordKey = (text: string, length: number) => `${text}\u0000${length}`;

/** The sweep's lengths (the ladder or --lengths, cut to the model and the method) and its K texts, each as long as the longest length (or shorter: then fewer lengths). */
export async function sweepTexts(o: Pick<SweepOptions, 'model' | 'tokenizer' | 'source' | 'texts' | 'lengths' | 'maxLength'> & { method: SweepMethod; settings: ProtoSettings; textSeed: number }): Promise<{ lengths: number[]; texts: SourceText[] }> {
  const { model, tokenizer, source } = o;
  const lengths = fittingLengths({ lengths: o.lengths, maxLength: o.maxLength, maxPositions: model.spec.maxPositions, positions: (N) => o.method.positions(N, o.settings) });
  if (lengths.length === 0) throw new Error(`None of the lengths fits: the model takes at most ${model.spec.maxPositions} positions${o.maxLength ? ` and the maximum length is ${o.maxLength}` : ''}.`);
  const sourceMax = source.maxLength?.(tokenizer, model) ?? Infinity;
  const fetchLength = Math.min(lengths[lengths.length - 1], sourceMax);
  if (fetchLength < lengths[0]) throw new Error(`${source.name} gives at most ${sourceMax} tokens for this model; the shortest length asked for is ${lengths[0]}.`);
  const texts = await source.texts({ tokenizer, length: fetchLength, count: o.texts, seed: o.textSeed, model, upTo: true });
  const ids = new Set<string>();
  for (const t of texts) {
    if (ids.has(t.id)) throw new Error(`${source.name} gave two texts with the id ${t.id}; ids must be unique.`);
    ids.add(t.id);
  }
  return { lengths, texts };
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const { model, tokenizer, source, store } = o;
  const method = o.method ?? oneshotMethod;
  const settings = { ...(o.settings ?? PAPER_SETTINGS) };
  validateSettings(settings);
  const share = o.share ?? 'none';
  const group = share === 'none' ? 1 : (o.group ?? 1);
  const S = o.seeds;
  const K = o.texts;
  const pack = share === 'none' ? (o.pack ?? 1) : group;
  if (!Number.isInteger(K) || K < 1) throw new Error(`The number of texts must be a positive whole number, got ${K}.`);
  if (!Number.isInteger(S) || S < 1) throw new Error(`The number of seeds must be a positive whole number, got ${S}.`);
  if (!Number.isInteger(group) || group < 1) throw new Error(`The group size must be a positive whole number, got ${group}.`);
  if (!Number.isInteger(pack) || pack < 1) throw new Error(`The pack size must be a positive whole number, got ${pack}.`);
  const progressive = (o.init ?? 'normal') === 'progressive';
  if (progressive) {
    const why = progressiveProblem({ method, share, pack });
    if (why) throw new MethodUnavailableError(why);
  }
  const reuse = universalStart(o.init ?? 'normal', o.universalM, method, share);
  const encoder = encoderStart(o.init ?? 'normal', o.encoder, method, share, o.lengths);
  const key = sweepKey({ ...o, method, settings });
  const id = sweepId(key);
  const now = o.now ?? (() => performance.now());
  let waitedMs = 0;
  const wait = o.wait
    ? () => {
        const held = o.wait!();
        return (
          held &&
          (async () => {
            const t = now();
            await held();
            waitedMs += now() - t;
          })
        );
      }
    : undefined;

  const progress = (p: Partial<SweepProgress>) =>
    o.onProgress?.({ phase: 'train', unit: 0, units: 0, texts: [], length: 0, attempts: 0, maxAttempts: 0, step: 0, maxSteps: settings.maxSteps, accuracy: 0, ...p });
  progress({ phase: 'texts' });
  const { lengths, texts: sourceTexts } = await sweepTexts({ ...o, method, settings, textSeed: key.textSeed });

  const texts: SweepText[] = [];
  for (const index of shardTexts(sourceTexts.length, group, o.shard)) {
    const t = sourceTexts[index];
    progress({ phase: 'entropy', texts: [t.id] });
    if (o.signal?.aborted) throw new SweepAborted();
    const { hLm, first } = await prefixEntropy(model, tokenizer, t.tokens);
    texts.push({ id: t.id, index, tokens: t.tokens, hLm, hLmFirstToken: first, lengths: lengths.filter((L) => L <= t.tokens.length) });
  }

  const found = new Map<string, SweepRecord>();
  for (const r of await store.load()) if (r.sweep === id) found.set(recordKey(r.text, r.length), r);

  const units = chunks(texts, pack);
  const maxAttempts = texts.reduce((n, t) => n + t.lengths.length, 0);
  const all: SweepRecord[] = [];
  let attempts = 0;
  let ran = 0;
  let reused = 0;
  const adapter = [model.gpu.info.vendor, model.gpu.info.architecture, model.gpu.info.description].filter(Boolean).join(' ');

  /** Progressive: each text's latest record in ladder order (its vectors start the next rung). */
  const previous = new Map<string, SweepRecord>();
  const d = model.spec.hidden;

  for (let u = 0; u < units.length; u++) {
    let alive = units[u];
    const unitLengths = [...new Set(alive.flatMap((t) => t.lengths))].sort((a, b) => a - b);
    for (const L of unitLengths) {
      const here = alive.filter((t) => t.lengths.includes(L));
      if (here.length === 0) continue;
      const results = new Map<string, SweepRecord>();
      for (const t of here) {
        const r = found.get(recordKey(t.id, L));
        if (!r) continue;
        if (r.tokens.length !== L || r.tokens.some((x, i) => x !== t.tokens[i])) {
          throw new SweepConflict(`The results file has ${t.id} at ${L} tokens from this sweep, but with other tokens (the source changed?); write to another results file.`);
        }
        results.set(t.id, r);
      }
      let toRun = here.filter((t) => !results.has(t.id));
      if (share !== 'none' && results.size > 0) {
        const want = here.map((t) => t.id).join('\n');
        for (const r of results.values()) {
          if (r.batch.join('\n') !== want) {
            throw new SweepConflict(`The results file has ${r.text} at ${L} tokens trained with ${r.batch.join(', ')}, but this sweep's group there is ${here.map((t) => t.id).join(', ')}; write to another results file.`);
          }
        }
        toRun = toRun.length > 0 ? here : [];
        if (toRun.length > 0) results.clear();
      }
      reused += results.size;
      attempts += results.size;
      if (toRun.length > 0) {
        if (o.signal?.aborted) throw new SweepAborted();
        const batchIds = toRun.map((t) => t.id);
        const seeds = toRun.map((t) => Array.from({ length: S }, (_, s) => restartSeed(key.seedBase, t.id, s)));
        const targets = toRun.map((t) => t.tokens.slice(0, L));
        const from = toRun.map((t) => (progressive ? previous.get(t.id) : undefined));
        const initial = encoder
          ? (await predictVectors(model, encoder, targets)).flatMap((v) => Array.from({ length: S }, () => v))
          : progressive && from.some(Boolean)
            ? toRun.flatMap((_, ti) => startsOf(from[ti], S, d))
            : undefined;
        let latest: readonly number[] = [];
        const solvedText = (c: readonly number[]) => toRun.every((_, t) => c.slice(t * S, (t + 1) * S).some((x) => x === L));
        const base = { unit: u, units: units.length, texts: batchIds, length: L, attempts, maxAttempts };
        progress({ ...base, step: 0 });
        const t0 = now();
        const waited0 = waitedMs;
        const r = await method.run(model, { texts: targets, seeds, share, group, ...(initial ? { initial } : {}), ...(reuse ? { reuseM: reuse } : {}) }, settings, {
          onReport: (step, c) => {
            latest = c;
            const acc = Math.min(...toRun.map((_, t) => Math.max(...c.slice(t * S, (t + 1) * S)) / L));
            progress({ ...base, step, accuracy: acc });
          },
          shouldStop: () => o.signal?.aborted === true || (key.stop === 'text' && latest.length > 0 && solvedText(latest)),
          wait,
        });
        const seconds = (now() - t0 - (waitedMs - waited0)) / 1000;
        if (o.signal?.aborted) throw new SweepAborted();
        const solved = r.bestCorrect.every((c) => c === L) || (key.stop === 'text' && solvedText(r.bestCorrect));
        const attempt = `${id}-${L}-${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
        const date = new Date().toISOString();
        const lines: SweepRecord[] = toRun.map((t, ti) => {
          const correct = r.bestCorrect.slice(ti * S, (ti + 1) * S);
          const accuracy = correct.map((c) => c / L);
          const best = Math.max(...accuracy);
          return {
            v: 1,
            sweep: id,
            ...key,
            text: t.id,
            index: t.index,
            ...(o.shard ? { shard: shardLabel(o.shard) } : {}),
            length: L,
            tokens: t.tokens.slice(0, L),
            batch: batchIds,
            attempt,
            of: toRun.length,
            seedList: seeds[ti],
            accuracy,
            correct,
            steps: r.bestStep.slice(ti * S, (ti + 1) * S),
            best,
            mean: accuracy.reduce((a, b) => a + b, 0) / S,
            passed: best >= key.threshold,
            stepsRun: r.stepsRun,
            seconds,
            stoppedBy: solved ? 'solved' : r.stoppedBy,
            hLm: t.hLm[L],
            hLmFirstToken: t.hLmFirstToken,
            textLength: t.tokens.length,
            lengths: t.lengths,
            adapter,
            date,
            init: key.init,
            ...(progressive ? progressiveFields(r.best, r.startCorrect, from[ti], ti, S) : {}),
          };
        });
        await store.append(lines);
        o.onAttempt?.(lines);
        for (const line of lines) results.set(line.text, line);
        ran += lines.length;
        attempts += lines.length;
      }
      for (const t of here) {
        all.push(results.get(t.id)!);
        previous.set(t.id, results.get(t.id)!);
      }
      if (!key.keepGoing) alive = alive.filter((t) => !results.has(t.id) || results.get(t.id)!.passed);
      if (alive.length === 0) break;
    }
  }
  progress({ phase: 'done', attempts, maxAttempts });
  return { key, sweep: id, texts, records: all, ran, reused };
}
