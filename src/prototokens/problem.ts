/**
 * Which texts are optimised together and which vectors they share. Every item is one text (or
 * one restart of a text); its e and m are rows of one params table, so restarts, shared m
 * (Table 2) and a fixed, previously trained m are all the same machinery.
 */
export interface ProtoProblem {
  /** Target tokens per item; every item has the same length N. */
  targets: number[][];
  /** Seed per item: its e (and any m it owns) are drawn from it. */
  seeds: number[];
  /** params row of each item's e and m. */
  eRow: number[];
  mRow: number[];
  /** Number of params rows. */
  P: number;
  /** Rows that are not trained (a reused m), with their fixed values. */
  fixed: Map<number, Float32Array>;
  /** Starting values for some trainable rows instead of the seeded draw (resuming, tests). */
  initial?: Map<number, Float32Array>;
}

export function singleText(targets: number[], seed: number): ProtoProblem {
  return { targets: [targets], seeds: [seed], eRow: [0], mRow: [1], P: 2, fixed: new Map() };
}

/** R restarts of one text, each with its own e and m, seeds seed, seed+1, ... */
export function restarts(targets: number[], seed: number, count: number): ProtoProblem {
  const idx = Array.from({ length: count }, (_, i) => i);
  return {
    targets: idx.map(() => targets),
    seeds: idx.map((i) => seed + i),
    eRow: idx.map((i) => 2 * i),
    mRow: idx.map((i) => 2 * i + 1),
    P: 2 * count,
    fixed: new Map(),
  };
}

/** Texts in groups of `group` sharing one m (row order: all e first, then one m per group). */
export function sharedM(texts: number[][], seeds: number[], group: number): ProtoProblem {
  const B = texts.length;
  const groups = Math.ceil(B / group);
  return {
    targets: texts,
    seeds,
    eRow: texts.map((_, b) => b),
    mRow: texts.map((_, b) => B + Math.floor(b / group)),
    P: B + groups,
    fixed: new Map(),
  };
}

/** Optimise only e for a text, reusing a trained m. */
export function withFixedM(targets: number[], seed: number, m: Float32Array): ProtoProblem {
  return { targets: [targets], seeds: [seed], eRow: [0], mRow: [1], P: 2, fixed: new Map([[1, m]]) };
}

export function checkProblem(p: ProtoProblem): number {
  const B = p.targets.length;
  if (B === 0) throw new Error('Nothing to optimise: no texts.');
  const N = p.targets[0].length;
  if (N === 0) throw new Error('The text has no tokens.');
  for (const t of p.targets) if (t.length !== N) throw new Error(`Texts optimised together must have the same length: ${t.length} vs ${N} tokens.`);
  if (p.seeds.length !== B || p.eRow.length !== B || p.mRow.length !== B) throw new Error('Problem arrays disagree on the number of items.');
  return N;
}
