/**
 * Merging the results files of a sharded sweep (issue 20): the files of N workers, any of them
 * possibly run twice (a retried pod, a requeued array task) or given twice (a glob and a name),
 * become one list of records, as if one worker had written them all. Files that cannot be parts
 * of one run (another model, another sweep) are refused with one line instead of being mixed
 * into tables that would look like one experiment.
 */
import { keyOf, type SweepKey, type SweepRecord } from './records.ts';

export interface ResultsFile {
  /** For messages: the name as given. */
  file: string;
  records: SweepRecord[];
}

export interface Merged {
  records: SweepRecord[];
  /** Records left out because the same text and length of the same sweep came again later. */
  duplicates: number;
  /** Shards seen per sweep count: N → the indexes present (records written with --shard I/N). */
  shards: Map<number, Set<number>>;
}

export class MergeError extends Error {
  override name = 'MergeError';
}

const recordId = (r: SweepRecord) => `${r.sweep}\u0000${r.text}\u0000${r.length}`;

/** The settings in which two sweep keys differ, for the refusal: "source pg19 / random, steps 300 / 200". */
function keyDifference(a: SweepKey, b: SweepKey): string {
  const flat = (k: SweepKey): Record<string, string> => {
    const { settings, ...rest } = keyOf(k);
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries({ ...rest, ...settings })) out[name] = JSON.stringify(v);
    return out;
  };
  const fa = flat(a);
  const fb = flat(b);
  const names = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].filter((n) => fa[n] !== fb[n]);
  return names.map((n) => `${n} ${fa[n] ?? '(none)'} / ${fb[n] ?? '(none)'}`).join(', ');
}

/**
 * One run's records from several files. The files must hold one model, and their sweeps must
 * nest: a shard still on its first sweep of several holds fewer, never others. A text and length
 * recorded twice counts once (the later record, as within one file): a shard run twice rewrites
 * nothing (it resumes), so a second record comes from a file given twice, a copy, or two runs.
 */
export function mergeResults(files: readonly ResultsFile[]): Merged {
  const held = files.filter((f) => f.records.length > 0);
  const models = new Map<string, ResultsFile>();
  for (const f of held) for (const r of f.records) if (!models.has(r.modelFingerprint)) models.set(r.modelFingerprint, f);
  if (held.length > 1 && models.size > 1) {
    const [[fa, a], [fb, b]] = [...models.entries()];
    const name = (fp: string, f: ResultsFile) => `${f.records.find((r) => r.modelFingerprint === fp)!.model} (weights ${fp.slice(0, 12)})`;
    throw new MergeError(`${a.file} holds results of ${name(fa, a)} and ${b.file} of ${name(fb, b)}; report one model's files at a time.`);
  }
  const sweepsOf = held.map((f) => new Map(f.records.map((r) => [r.sweep, r] as const)));
  for (let i = 0; i < held.length; i++) {
    for (let j = i + 1; j < held.length; j++) {
      const onlyI = [...sweepsOf[i].keys()].filter((s) => !sweepsOf[j].has(s));
      const onlyJ = [...sweepsOf[j].keys()].filter((s) => !sweepsOf[i].has(s));
      if (onlyI.length > 0 && onlyJ.length > 0) {
        const a = sweepsOf[i].get(onlyI[0])!;
        const b = sweepsOf[j].get(onlyJ[0])!;
        throw new MergeError(
          `${held[i].file} and ${held[j].file} are not shards of one sweep (sweep ${a.sweep} / ${b.sweep}: ${keyDifference(a, b)}); give the files of one sweep, e.g. results/shard-*.jsonl.`,
        );
      }
    }
  }
  // A later record of the same text and length replaces an earlier one, as within one file (summarise).
  const byId = new Map<string, SweepRecord>();
  let duplicates = 0;
  for (const f of held) {
    for (const r of f.records) {
      const id = recordId(r);
      if (byId.has(id)) duplicates++;
      byId.set(id, r);
    }
  }
  const records = [...byId.values()];
  const shards = new Map<number, Set<number>>();
  for (const r of records) {
    if (!r.shard) continue;
    const [index, count] = r.shard.split('/').map(Number);
    if (!shards.has(count)) shards.set(count, new Set());
    shards.get(count)!.add(index);
  }
  return { records, duplicates, shards };
}

export interface ShardCoverage {
  count: number;
  present: number[];
  missing: number[];
}

/** Per shard count, which shards' records are in and which are not. */
export function shardCoverage(shards: Map<number, Set<number>>): ShardCoverage[] {
  return [...shards.entries()]
    .sort(([a], [b]) => a - b)
    .map(([count, present]) => ({ count, present: [...present].sort((a, b) => a - b), missing: Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i)) }));
}

/** "shards 0-3 of 4", "shards 0, 1, 3 of 4 (missing: 2; ...)": which workers' results are in. */
export function describeCoverage(c: ShardCoverage): string {
  const list = c.missing.length === 0 ? `0-${c.count - 1}` : c.present.join(', ');
  return `shards ${list} of ${c.count}${c.missing.length ? ` (missing: ${c.missing.join(', ')}; run them, or they are still running)` : ''}`;
}
