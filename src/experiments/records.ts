/**
 * The sweep's results: one JSON line per text x length attempt. Everything needed to aggregate
 * (report) and to resume (skip what is recorded) is in the line itself.
 */
import type { FirstTarget, LayoutName } from '../shared/layouts.ts';
import type { Share } from '../prototokens/problem.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import { base64ToFloat32 } from '../util/base64.ts';

export type MethodName = 'oneshot' | 'memory';

/**
 * Where an attempt's starting vectors come from (issue 19): 'normal', a draw from the restart
 * seed (N(0, 1), or the embeddings' std with settings.init 'embedding-std'); 'progressive', the
 * previous rung's best e and m of the same seed, the new positions taking m (the first rung is
 * drawn); 'universal-m' / 'universal-m frozen', every attempt's m taken from a universal-m file
 * (prototokens/universal-m.ts) as its start or kept fixed, e drawn. More will come (an encoder),
 * so it is a list, not a switch.
 */
export const SWEEP_INITS = ['normal', 'progressive', 'universal-m', 'universal-m frozen', 'encoder'] as const;
export type SweepInit = (typeof SWEEP_INITS)[number];

/** A record's init: absent in records written before init existed, which were all drawn. */
export const initOf = (k: Pick<SweepKey, 'init'>): SweepInit => k.init ?? 'normal';

/** One seed's best vectors, each base64 of little-endian float32 (util/base64.ts). */
export interface StoredVectors {
  e: string;
  m: string;
}

/** When a batch of restarts stops early: once each text has one seed with every token right, or once every seed does. */
export type StopRule = 'text' | 'all-seeds';

/** Training settings recorded with every line (the method's optimiser and its budget). */
export type RecordSettings = Pick<ProtoSettings, 'lr' | 'beta1' | 'beta2' | 'eps' | 'weightDecay' | 'maxSteps' | 'init' | 'patience' | 'reportEvery'>;

/** What identifies one sweep: records with the same key are the same experiment and are reused on a rerun. */
export interface SweepKey {
  method: MethodName;
  /** Model name and weights fingerprint. */
  model: string;
  modelFingerprint: string;
  layout: LayoutName;
  firstTarget: FirstTarget;
  share: Share;
  /** Texts per group sharing a vector (1 when share is 'none'). */
  group: number;
  /** Source name as given (pg19, random, generated, recent, or the folder path). */
  source: string;
  /** Seed of the text selection (and of generated texts). */
  textSeed: number;
  /** Restarts per text, and the seed the restart seeds derive from. */
  seeds: number;
  seedBase: number;
  settings: RecordSettings;
  stop: StopRule;
  /** false: a text stops at its first failed length (capacity sweep); true: every length is tried (Tables 1 and 2). */
  keepGoing: boolean;
  threshold: number;
  /** The memory-token method: trainable vectors before the text (absent for the one-shot method). */
  memoryTokens?: number;
  /** Where each attempt starts (every record writes it; absent in older ones: 'normal'). */
  init?: SweepInit;
  /** The universal-m inits: the hash of the m used (its float32 bits), so sweeps with other m's never mix. */
  universalM?: string;
  /** The encoder init: the hash of the encoder's parameters, so sweeps with other encoders never mix. */
  encoder?: string;
}

export interface SweepRecord extends SweepKey {
  /** Format version. */
  v: 1;
  /** Short hash of the key (sweepId). */
  sweep: string;
  /** Text id (a folder's texts: the file name). */
  text: string;
  /** The text's position in the sweep's text list (absent in records from before sharding): reports order texts by it, so merged shards read like one run. */
  index?: number;
  /** "I/N" when a shard of the sweep wrote the record (--shard): which worker ran it. */
  shard?: string;
  /** Prefix length in tokens, and its token ids. */
  length: number;
  tokens: number[];
  /** Texts in the same batch at this attempt, in order (with sharing: trained jointly). */
  batch: string[];
  /** One attempt writes `of` lines with the same `attempt` id; an attempt with fewer lines was cut short and does not count. */
  attempt: string;
  of: number;
  /** Restart seeds of this text and, per seed, the best accuracy, its correct tokens and the steps done when that was first seen (to the report interval). */
  seedList: number[];
  accuracy: number[];
  correct: number[];
  steps: number[];
  /** Max and mean over seeds, and whether the max reaches the threshold. */
  best: number;
  mean: number;
  passed: boolean;
  /** Steps executed for the whole batch, its wall time and why it stopped. */
  stepsRun: number;
  seconds: number;
  stoppedBy: string;
  /** H_LM of this prefix in nats (Eq. 3), and whether t_1 is scored (after BOS) or left out (no BOS). */
  hLm: number;
  hLmFirstToken: boolean;
  /** Longest prefix the text offers (its own length, or the sweep's maximum). */
  textLength: number;
  /** Lengths of the sweep for this text (the ladder cut to the model, the method and the text). */
  lengths: number[];
  adapter: string;
  date: string;
  /**
   * Progressive sweeps: per seed, the best e and m of this attempt (the next rung starts from
   * them, so a resumed sweep warm-starts from exactly these bits); the rung they started from
   * (absent on a text's first rung, which is drawn); and per seed, the correct tokens of the
   * starting vectors at this length before any step (one forward pass).
   */
  vectors?: StoredVectors[];
  from?: number;
  startCorrect?: number[];
}

/** 32-bit FNV-1a, hex. */
export function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so equal keys hash alike whatever order they were built in. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    return `{${Object.keys(x as object)
      .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}

const KEY_FIELDS: (keyof SweepKey)[] = ['method', 'model', 'modelFingerprint', 'layout', 'firstTarget', 'share', 'group', 'source', 'textSeed', 'seeds', 'seedBase', 'settings', 'stop', 'keepGoing', 'threshold', 'memoryTokens', 'init', 'universalM', 'encoder'];

export function keyOf(r: SweepKey): SweepKey {
  const out = {} as Record<string, unknown>;
  for (const k of KEY_FIELDS) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as SweepKey;
}

/** The hash of a key. A drawn start ('normal') is left out, so sweeps from before init existed keep their ids and resume. */
export function sweepId(key: SweepKey): string {
  const k = keyOf(key);
  if (initOf(k) === 'normal') delete k.init;
  return fnv(canonicalJson(k));
}

const whole = (x: unknown, min = 0) => Number.isInteger(x) && (x as number) >= min;
const fraction = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;

/** Whether a parsed line is a version-1 record whose numbers make sense (a length of -5, an accuracy of 3 or a NaN are not results). */
function isRecord(r: SweepRecord): boolean {
  if (!(r && r.v === 1 && typeof r.sweep === 'string' && typeof r.text === 'string' && typeof r.attempt === 'string')) return false;
  if ((r.index !== undefined && !whole(r.index)) || (r.shard !== undefined && !(typeof r.shard === 'string' && /^\d+\/\d+$/u.test(r.shard)))) return false;
  if (!whole(r.length, 1) || !whole(r.of, 1) || !Array.isArray(r.tokens) || r.tokens.length !== r.length) return false;
  const perSeed = [r.accuracy, r.correct, r.steps];
  if (!perSeed.every((a) => Array.isArray(a) && a.length === perSeed[0].length && a.length > 0)) return false;
  if (!r.accuracy.every(fraction) || !r.correct.every((c) => whole(c) && c <= r.length) || !r.steps.every((s) => whole(s))) return false;
  if (!(fraction(r.best) && fraction(r.mean) && typeof r.passed === 'boolean' && whole(r.stepsRun) && typeof r.hLm === 'number' && Number.isFinite(r.hLm))) return false;
  return startFieldsOk(r, perSeed[0].length);
}

/** init is a known one; a progressive record carries one pair of equal-width vectors per seed; from and startCorrect make sense. */
function startFieldsOk(r: SweepRecord, seeds: number): boolean {
  if (r.init !== undefined && !(SWEEP_INITS as readonly unknown[]).includes(r.init)) return false;
  if (r.init === 'progressive' && r.vectors === undefined) return false;
  if (r.init?.startsWith('universal-m') && typeof r.universalM !== 'string') return false;
  if (r.init === 'encoder' && typeof r.encoder !== 'string') return false;
  if (r.vectors !== undefined) {
    if (!Array.isArray(r.vectors) || r.vectors.length !== seeds) return false;
    let width = -1;
    for (const v of r.vectors) {
      const e = base64ToFloat32(v?.e);
      const m = base64ToFloat32(v?.m);
      if (!e || !m || e.length === 0 || e.length !== m.length || (width >= 0 && e.length !== width)) return false;
      if (!e.every(Number.isFinite) || !m.every(Number.isFinite)) return false;
      width = e.length;
    }
  }
  if (r.from !== undefined && !(whole(r.from, 1) && r.from < r.length)) return false;
  if (r.startCorrect !== undefined && !(Array.isArray(r.startCorrect) && r.startCorrect.length === seeds && r.startCorrect.every((c) => whole(c) && c <= r.length))) return false;
  return true;
}

/** The record a JSON line holds, or null when it holds none (not JSON, not a version-1 record, or numbers out of range). */
export function recordOfLine(line: string): SweepRecord | null {
  try {
    const r = JSON.parse(line) as SweepRecord;
    return isRecord(r) ? r : null;
  } catch {
    return null;
  }
}

/**
 * Parses JSON lines: blank and unparsable lines are skipped (a line cut by a kill), and so are
 * the lines of attempts that did not write all their lines.
 */
export function parseRecords(text: string): { records: SweepRecord[]; skipped: number } {
  const parsed: SweepRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = recordOfLine(line);
    if (r) parsed.push(r);
    else skipped++;
  }
  const count = new Map<string, number>();
  for (const r of parsed) count.set(r.attempt, (count.get(r.attempt) ?? 0) + 1);
  const records = parsed.filter((r) => count.get(r.attempt)! >= r.of);
  return { records, skipped: skipped + parsed.length - records.length };
}

/** Where records go: the sweep reads what is there and appends each attempt's lines in one write. */
export interface RecordStore {
  /** Every complete record already stored. */
  load(): Promise<SweepRecord[]> | SweepRecord[];
  /** Appends the lines of one attempt (one write, so a kill leaves at most one cut line). */
  append(records: SweepRecord[]): Promise<void> | void;
}

export function memoryStore(initial: SweepRecord[] = []): RecordStore & { records: SweepRecord[] } {
  const records = [...initial];
  return {
    records,
    load: () => records.slice(),
    append: (rs) => void records.push(...rs),
  };
}

/**
 * The steps one text's attempt cost, as if it had run alone: with the sweep's usual stop rule
 * ('text') its batch of seeds stops once one seed has every token right, at the report where that
 * was first seen (its `steps`); otherwise it ran the whole attempt (`stepsRun`: the budget, unless
 * stopped). Packing texts into one batch does not change it.
 */
export function attemptSteps(r: SweepRecord): number {
  const solved = r.steps.filter((_, i) => r.correct[i] === r.length);
  if (solved.length === 0) return r.stepsRun;
  return r.stop === 'all-seeds' ? (solved.length === r.steps.length ? Math.max(...r.steps) : r.stepsRun) : Math.min(...solved);
}
