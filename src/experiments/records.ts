/**
 * The sweep's results: one JSON line per text x length attempt. Everything needed to aggregate
 * (report) and to resume (skip what is recorded) is in the line itself.
 */
import type { FirstTarget, LayoutName } from '../shared/layouts.ts';
import type { Share } from '../prototokens/problem.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';

export type MethodName = 'oneshot' | 'memory';

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
}

export interface SweepRecord extends SweepKey {
  /** Format version. */
  v: 1;
  /** Short hash of the key (sweepId). */
  sweep: string;
  /** Text id (a folder's texts: the file name). */
  text: string;
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
}

/** 32-bit FNV-1a, hex. */
function fnv(s: string): string {
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

const KEY_FIELDS: (keyof SweepKey)[] = ['method', 'model', 'modelFingerprint', 'layout', 'firstTarget', 'share', 'group', 'source', 'textSeed', 'seeds', 'seedBase', 'settings', 'stop', 'keepGoing', 'threshold', 'memoryTokens'];

export function keyOf(r: SweepKey): SweepKey {
  const out = {} as Record<string, unknown>;
  for (const k of KEY_FIELDS) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as SweepKey;
}

export function sweepId(key: SweepKey): string {
  return fnv(canonicalJson(keyOf(key)));
}

const whole = (x: unknown, min = 0) => Number.isInteger(x) && (x as number) >= min;
const fraction = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;

/** Whether a parsed line is a version-1 record whose numbers make sense (a length of -5, an accuracy of 3 or a NaN are not results). */
function isRecord(r: SweepRecord): boolean {
  if (!(r && r.v === 1 && typeof r.sweep === 'string' && typeof r.text === 'string' && typeof r.attempt === 'string')) return false;
  if (!whole(r.length, 1) || !whole(r.of, 1) || !Array.isArray(r.tokens) || r.tokens.length !== r.length) return false;
  const perSeed = [r.accuracy, r.correct, r.steps];
  if (!perSeed.every((a) => Array.isArray(a) && a.length === perSeed[0].length && a.length > 0)) return false;
  if (!r.accuracy.every(fraction) || !r.correct.every((c) => whole(c) && c <= r.length) || !r.steps.every((s) => whole(s))) return false;
  return fraction(r.best) && fraction(r.mean) && typeof r.passed === 'boolean' && whole(r.stepsRun) && typeof r.hLm === 'number' && Number.isFinite(r.hLm);
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
