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
  /**
   * Which text each item is (restarts of one text share an index), for the per-text aggregates
   * of accuracyByText; omitted: every item is its own text.
   */
  textOf?: number[];
}

/** Which proto-token a group of texts shares (Table 2): none, the m or the e. */
export type Share = 'none' | 'm' | 'e';

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
    textOf: idx.map(() => 0),
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

/** Texts in groups of `group` sharing one e (row order: all m first, then one e per group). */
export function sharedE(texts: number[][], seeds: number[], group: number): ProtoProblem {
  const B = texts.length;
  const groups = Math.ceil(B / group);
  return {
    targets: texts,
    seeds,
    eRow: texts.map((_, b) => B + Math.floor(b / group)),
    mRow: texts.map((_, b) => b),
    P: B + groups,
    fixed: new Map(),
  };
}

/**
 * T texts x S restarts in one batch (the sweep's unit of work). Item t·S + s is text t with seed
 * seeds[t][s]. share 'none': every item owns its e and m (restarts). 'm' or 'e': texts are cut
 * into groups of `group` consecutive texts, and within a group the items of restart s share one
 * m (or e), so the batch holds S independent copies of each jointly trained group. A shared row
 * is drawn from the seed of the group's first text.
 */
export function textsWithRestarts(texts: number[][], seeds: number[][], share: Share, group: number): ProtoProblem {
  const T = texts.length;
  if (T === 0) throw new Error('Nothing to optimise: no texts.');
  const S = seeds[0]?.length ?? 0;
  if (seeds.length !== T || S === 0 || seeds.some((x) => x.length !== S)) throw new Error('Give every text the same, non-zero number of seeds.');
  if (!Number.isInteger(group) || group < 1) throw new Error(`The group size must be a positive whole number, got ${group}.`);
  const I = T * S;
  const targets: number[][] = [];
  const itemSeeds: number[] = [];
  const eRow: number[] = [];
  const mRow: number[] = [];
  const textOf: number[] = [];
  const shared = (t: number, s: number) => I + Math.floor(t / group) * S + s;
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) {
      const i = t * S + s;
      targets.push(texts[t]);
      itemSeeds.push(seeds[t][s]);
      textOf.push(t);
      if (share === 'none') {
        eRow.push(2 * i);
        mRow.push(2 * i + 1);
      } else if (share === 'm') {
        eRow.push(i);
        mRow.push(shared(t, s));
      } else {
        eRow.push(shared(t, s));
        mRow.push(i);
      }
    }
  }
  const P = share === 'none' ? 2 * I : I + Math.ceil(T / group) * S;
  return { targets, seeds: itemSeeds, eRow, mRow, P, fixed: new Map(), textOf };
}

export interface TextAccuracy {
  /** Accuracy of each restart of the text, in item order. */
  perSeed: number[];
  /** Max over seeds (Table 2 "max") and mean over seeds (Table 2 "avg"). */
  max: number;
  mean: number;
}

/** Per text (in order of first appearance): accuracy = correct / N of each of its items, max and mean over them. */
export function accuracyByText(problem: ProtoProblem, correct: readonly number[]): TextAccuracy[] {
  const N = checkProblem(problem);
  if (correct.length !== problem.targets.length) throw new Error(`${correct.length} results for ${problem.targets.length} items.`);
  const textOf = problem.textOf ?? problem.targets.map((_, i) => i);
  const order: number[] = [];
  const per = new Map<number, number[]>();
  textOf.forEach((t, i) => {
    if (!per.has(t)) {
      per.set(t, []);
      order.push(t);
    }
    per.get(t)!.push(correct[i] / N);
  });
  return order.map((t) => {
    const a = per.get(t)!;
    return { perSeed: a, max: Math.max(...a), mean: a.reduce((x, y) => x + y, 0) / a.length };
  });
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
  if (p.seeds.length !== B || p.eRow.length !== B || p.mRow.length !== B || (p.textOf && p.textOf.length !== B)) throw new Error('Problem arrays disagree on the number of items.');
  return N;
}
