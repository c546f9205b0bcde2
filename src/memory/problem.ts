/**
 * The memory-token baseline (Kuratov et al. 2025; METHOD-NOTES.md): K trainable vectors placed
 * before the real token embeddings, [mem_1..mem_K, emb(t_1), ..., emb(t_{N-1})], trained with the
 * causal-LM loss so that the last memory position predicts t_1 and position K-1+i predicts
 * t_{i+1}: the whole text then decodes autoregressively from the memory alone.
 *
 * Every item (a text, or one restart of a text) owns K rows of the params table: item b's memory
 * is rows b·K .. b·K + K - 1. Memory is never shared between texts (Kuratov's setup).
 */
export interface MemoryProblem {
  /** Target tokens per item; every item has the same length N. */
  targets: number[][];
  /** Seed per item: its K vectors are drawn from it. */
  seeds: number[];
  /** Memory vectors per item (the paper's comparison uses 1). */
  K: number;
  /** Starting values [K·d] for some items instead of the seeded draw (tests, resuming). */
  initial?: Map<number, Float32Array>;
}

export const DEFAULT_MEMORY_TOKENS = 1;

/** The one rule for the positions a memory-token run takes lives with the run methods. */
export { memoryPositions } from '../shared/run-method.ts';

export function memorySingle(targets: number[], seed: number, K = DEFAULT_MEMORY_TOKENS): MemoryProblem {
  return { targets: [targets], seeds: [seed], K };
}

/** R restarts of one text, seeds seed, seed+1, ... */
export function memoryRestarts(targets: number[], seed: number, count: number, K = DEFAULT_MEMORY_TOKENS): MemoryProblem {
  return { targets: Array.from({ length: count }, () => targets), seeds: Array.from({ length: count }, (_, i) => seed + i), K };
}

/**
 * T texts x S restarts in one batch, item t·S + s = text t with seed seeds[t][s] (the item order of
 * textsWithRestarts in src/prototokens/problem.ts, so the sweep aggregates both methods alike).
 */
export function memoryTextsWithRestarts(texts: number[][], seeds: number[][], K = DEFAULT_MEMORY_TOKENS): MemoryProblem {
  const T = texts.length;
  if (T === 0) throw new Error('Nothing to optimise: no texts.');
  const S = seeds[0]?.length ?? 0;
  if (seeds.length !== T || S === 0 || seeds.some((x) => x.length !== S)) throw new Error('Give every text the same, non-zero number of seeds.');
  return { targets: texts.flatMap((t) => Array.from({ length: S }, () => t)), seeds: seeds.flat(), K };
}

/** Checks the problem; returns N. */
export function checkMemoryProblem(p: MemoryProblem): number {
  const B = p.targets.length;
  if (B === 0) throw new Error('Nothing to optimise: no texts.');
  if (!Number.isInteger(p.K) || p.K < 1) throw new Error(`The number of memory vectors must be a positive whole number, got ${p.K}.`);
  const N = p.targets[0].length;
  if (N === 0) throw new Error('The text has no tokens.');
  for (const t of p.targets) if (t.length !== N) throw new Error(`Texts optimised together must have the same length: ${t.length} vs ${N} tokens.`);
  if (p.seeds.length !== B) throw new Error('Problem arrays disagree on the number of items.');
  return N;
}
