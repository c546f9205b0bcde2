/**
 * A sweep's work list and what it would cost (`protolab sweep --plan`, issue 20): which batches
 * each shard trains at which lengths, the steps that can take, and the GPU-hours at a step time.
 * It is built with the sweep's own rules (shard.ts's split, runSweep's batches), so the plan is
 * the work the same command runs.
 *
 * The steps are an upper bound: every attempt is counted at its full budget, while a batch stops
 * as soon as its texts are solved. A capacity sweep stops each text at its first failure, which
 * no plan knows in advance: without an expected capacity every text climbs the whole ladder.
 */
import { chunks, shardTexts, type Shard } from '../shard.ts';
import { stepTimeAt, type StepTime, type StepTimeHow } from '../step-cost.ts';

export interface PlanText {
  id: string;
  /** The lengths this text offers (the sweep's ladder cut to the model, the method and the text). */
  lengths: number[];
}

export interface PlanOptions {
  /** The sweep's texts, in its order. */
  texts: PlanText[];
  seeds: number;
  /** Texts sharing one vector (1: nothing shared); shared groups are the sweep's parts and batches. */
  group: number;
  /** Unshared texts per batch. */
  pack: number;
  maxSteps: number;
  keepGoing: boolean;
  /** How many shards the work is cut into (1: one worker). */
  shards: number;
  /** Capacity sweeps: every text assumed to reach this length and to fail at its next one. */
  expectCapacity?: number;
}

export interface WorkItem {
  shard: number;
  /** Batch index within its shard, as runSweep numbers its units. */
  unit: number;
  texts: string[];
  length: number;
  /** Sequences trained side by side: texts x seeds. */
  sequences: number;
  /** Steps at most (the budget). */
  steps: number;
}

/** Every batch x length attempt the sweep can make, shard by shard. */
export function sweepWorkList(o: PlanOptions): WorkItem[] {
  const items: WorkItem[] = [];
  const batch = o.group > 1 ? o.group : o.pack;
  for (let s = 0; s < o.shards; s++) {
    const shard: Shard = { index: s, count: o.shards };
    const mine = shardTexts(o.texts.length, o.group, shard).map((i) => o.texts[i]);
    chunks(mine, batch).forEach((unit, u) => {
      const tried = unit.map((t) => triedLengths(t.lengths, o));
      const lengths = [...new Set(tried.flat())].sort((a, b) => a - b);
      for (const L of lengths) {
        const here = unit.filter((_, i) => tried[i].includes(L));
        items.push({ shard: s, unit: u, texts: here.map((t) => t.id), length: L, sequences: here.length * o.seeds, steps: o.maxSteps });
      }
    });
  }
  return items;
}

/** The lengths a text is tried at: all of them, or (capacity sweep, expected capacity C) up to its first length above C. */
function triedLengths(lengths: number[], o: Pick<PlanOptions, 'keepGoing' | 'expectCapacity'>): number[] {
  if (o.keepGoing || o.expectCapacity === undefined) return lengths;
  const fail = lengths.findIndex((L) => L > o.expectCapacity!);
  return fail < 0 ? lengths : lengths.slice(0, fail + 1);
}

/** Where a step time comes from: points at lengths (for a full batch of `batchSequences`), or a function of N and sequences (FLOPs). */
export type StepTimeSource = { points: { N: number; ms: number }[]; known: 'measured' | 'given'; batchSequences: number } | { flops: (N: number, sequences: number) => number; tflops: number };

export interface PlannedLength {
  length: number;
  batches: number;
  attempts: number;
  steps: number;
  /** ms per step of a full batch at this length, and how that was found. */
  msPerStep: number;
  how: StepTimeHow;
  gpuHours: number;
}

export interface SweepPlan {
  texts: number;
  shards: number;
  byLength: PlannedLength[];
  perShard: { shard: number; texts: number; steps: number; gpuHours: number }[];
  total: { batches: number; attempts: number; steps: number; gpuHours: number };
  items: (WorkItem & { msPerStep: number; gpuHours: number })[];
}

/** ms per step of one batch of `sequences` at N: a full batch's time scaled by the sequences it holds. */
function batchTime(src: StepTimeSource, N: number, sequences: number): StepTime {
  if ('flops' in src) return { ms: src.flops(N, sequences) / (src.tflops * 1e9), how: 'flops' };
  const full = stepTimeAt(src.points, N, src.known);
  return { ms: (full.ms * sequences) / src.batchSequences, how: full.how };
}

const HOUR_MS = 3_600_000;
const round = (x: number, digits: number) => Number(x.toFixed(digits));
/** GPU-hours to 4 significant digits: a 260K model's plan is in micro-hours, an 8B one's in thousands. */
const sig = (x: number) => Number(x.toPrecision(4));

export function planSweep(o: PlanOptions, src: StepTimeSource): SweepPlan {
  const work = sweepWorkList(o);
  const items = work.map((w) => {
    const t = batchTime(src, w.length, w.sequences);
    return { ...w, msPerStep: t.ms, how: t.how, gpuHours: (w.steps * t.ms) / HOUR_MS };
  });
  const full = o.seeds * (o.group > 1 ? o.group : o.pack);
  const lengths = [...new Set(items.map((i) => i.length))].sort((a, b) => a - b);
  const sum = (xs: { steps: number; gpuHours: number }[]) => ({ steps: xs.reduce((n, x) => n + x.steps, 0), gpuHours: xs.reduce((n, x) => n + x.gpuHours, 0) });
  const byLength = lengths.map((L) => {
    const here = items.filter((i) => i.length === L);
    const t = batchTime(src, L, full);
    const s = sum(here);
    return { length: L, batches: here.length, attempts: here.reduce((n, i) => n + i.texts.length, 0), steps: s.steps, msPerStep: round(t.ms, 2), how: t.how, gpuHours: sig(s.gpuHours) };
  });
  const perShard = Array.from({ length: o.shards }, (_, s) => {
    const here = items.filter((i) => i.shard === s);
    const x = sum(here);
    return { shard: s, texts: shardTexts(o.texts.length, o.group, { index: s, count: o.shards }).length, steps: x.steps, gpuHours: sig(x.gpuHours) };
  });
  const t = sum(items);
  return {
    texts: o.texts.length,
    shards: o.shards,
    byLength,
    perShard,
    total: { batches: items.length, attempts: items.reduce((n, i) => n + i.texts.length, 0), steps: t.steps, gpuHours: sig(t.gpuHours) },
    items: items.map((i) => ({ ...i, msPerStep: round(i.msPerStep, 2), gpuHours: sig(i.gpuHours) })),
  };
}
