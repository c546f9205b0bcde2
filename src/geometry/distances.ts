/**
 * Cosine distances between proto-token solutions (the paper's Figs. 5-7). A solution is the pair
 * (e, m); the paper compares the two concatenated, and the lab also offers each vector alone, to see
 * which of the two carries the structure. All sums are float64: solutions are float32, but a distance
 * near 0 (same-text restarts) would otherwise lose its leading digits.
 */

/** Which part of a solution is compared: e and m concatenated (the paper's p), or one of them. */
export type SolutionPart = 'em' | 'e' | 'm';
export const SOLUTION_PARTS: readonly SolutionPart[] = ['em', 'e', 'm'];

export interface SolutionVectors {
  e: ArrayLike<number>;
  m: ArrayLike<number>;
}

/** The vector compared for `part`: [e, m] concatenated, e, or m, as float64. */
export function solutionVector(v: SolutionVectors, part: SolutionPart = 'em'): Float64Array {
  if (part === 'e') return Float64Array.from(v.e);
  if (part === 'm') return Float64Array.from(v.m);
  const out = new Float64Array(v.e.length + v.m.length);
  for (let i = 0; i < v.e.length; i++) out[i] = v.e[i];
  for (let i = 0; i < v.m.length; i++) out[v.e.length + i] = v.m[i];
  return out;
}

/**
 * 1 - a·b / (|a| |b|), in [0, 2]. A zero vector has no direction: that is refused with a message
 * rather than returned as NaN, which would silently vanish from a histogram.
 */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Cannot compare vectors of different widths (${a.length} and ${b.length}): were they trained on different models?`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (!(aa > 0) || !(bb > 0)) throw new Error('A cosine distance needs two non-zero, finite vectors; one of them is all zeros (or not finite).');
  // Clamp: rounding can push the cosine of (nearly) parallel vectors just past ±1.
  return 1 - Math.max(-1, Math.min(1, dot / Math.sqrt(aa * bb)));
}

/** Symmetric matrix of cosine distances, zero diagonal (each pair computed once). */
export function pairwiseCosine(vectors: readonly ArrayLike<number>[]): number[][] {
  const n = vectors.length;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = cosineDistance(vectors[i], vectors[j]);
      out[i][j] = d;
      out[j][i] = d;
    }
  }
  return out;
}

/** Pairwise distances between solutions, comparing `part` of each. */
export function solutionDistances(solutions: readonly SolutionVectors[], part: SolutionPart = 'em'): number[][] {
  return pairwiseCosine(solutions.map((s) => solutionVector(s, part)));
}
