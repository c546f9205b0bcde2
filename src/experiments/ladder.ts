/** The paper's length ladder for the capacity sweep (Section 4, "Generation capacity"). */
export const LADDER = [4, 5, 8, 11, 16, 22, 32, 45, 64, 90, 128, 181, 256, 362, 512, 724, 1024, 1448] as const;

/** Accuracy at or above which a prefix counts as reconstructed (the paper's 0.99). */
export const CAPACITY_THRESHOLD = 0.99;

/**
 * The lengths of `lengths` (default the ladder) that fit: at most `maxLength` tokens and at most
 * the model's positions once the method's layout is applied (`positions(N)`). Sorted, distinct.
 */
export function fittingLengths(opts: { lengths?: readonly number[]; maxLength?: number; maxPositions: number; positions: (N: number) => number }): number[] {
  const ls = [...new Set(opts.lengths ?? LADDER)].sort((a, b) => a - b);
  for (const n of ls) if (!Number.isInteger(n) || n < 1) throw new Error(`Lengths must be positive whole numbers of tokens, got ${n}.`);
  return ls.filter((n) => n <= (opts.maxLength ?? Infinity) && opts.positions(n) <= opts.maxPositions);
}
