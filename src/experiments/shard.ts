/**
 * Sharding a sweep over N workers (issue 20). A scheduler (a Kubernetes Indexed Job, a Slurm
 * array) starts the same command N times with I = 0..N-1; each runs the I-th of N disjoint parts
 * of the sweep's work and writes its own results file. Nothing here schedules: the split is a
 * pure function of the sweep's text list, so every worker computes the same split on its own.
 *
 * A part is a whole text, or a whole sharing group when texts share a vector (a group trains as
 * one batch, so it cannot be split). Part p goes to shard p mod N: round robin, so that texts the
 * source happens to order by length or difficulty spread over all shards.
 */

export interface Shard {
  /** 0-based: I of "I/N". */
  index: number;
  count: number;
}

export class ShardError extends Error {
  override name = 'ShardError';
}

/** The most shards a sweep may be cut into (the sweeps' text bound is 1000; an array this wide is a typo). */
export const MAX_SHARDS = 100_000;

/** "I/N" as the schedulers write it (I from 0 to N-1). */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/u.exec(s.trim());
  if (!m) throw new ShardError(`the shard must be I/N, e.g. 0/4 (the I-th of N parts, I from 0 to N-1), got "${s}".`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new ShardError(`the number of shards must be from 1 to ${MAX_SHARDS}, got ${count} in "${s}".`);
  if (index >= count) throw new ShardError(`shard ${index} does not exist among ${count} (I runs from 0 to ${count - 1}; Slurm's SLURM_ARRAY_TASK_ID must start at 0), got "${s}".`);
  return { index, count };
}

export const shardLabel = (s: Shard): string => `${s.index}/${s.count}`;

/** Consecutive runs of `size` items (the last may be shorter): a sweep's parts, and the batches (units) a worker trains. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The text positions (0-based, in sweep order) that shard `s` runs; all of them without a shard. */
export function shardTexts(texts: number, partSize: number, s?: Shard): number[] {
  const parts = chunks(Array.from({ length: texts }, (_, i) => i), partSize);
  return (s ? parts.filter((_, p) => p % s.count === s.index) : parts).flat();
}
