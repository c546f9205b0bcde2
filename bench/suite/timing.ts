/**
 * How the suite times things, shared by every measured part: a clock, rounding for the results
 * files, mean and median, and the repetition policy (a minimum count, then more until a time
 * budget is spent). Every timed call must wait for the GPU queue (`gpu.idle()` or a readback),
 * never just for the submit, because submission is asynchronous; timeProgram does that for a
 * recorded Program.
 */
import type { Program } from '../../src/gpu/program.ts';

export const now = (): number => performance.now();
export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** How many timed repetitions: at least minReps, then more until budgetMs is spent or maxReps reached. */
export interface RepPolicy {
  minReps: number;
  maxReps: number;
  budgetMs: number;
}

/** Times `once` (which must wait for the GPU) after `warmup` untimed calls, following `policy`. */
export async function repeat(once: () => Promise<void>, warmup: number, policy: RepPolicy): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  const start = now();
  while (times.length < policy.maxReps && (times.length < policy.minReps || now() - start < policy.budgetMs)) {
    const t0 = now();
    await once();
    times.push(now() - t0);
  }
  return times;
}

/** `repeat` of one submission of `program`, each timed until its Gpu's queue has finished it. */
export function timeProgram(program: Program, warmup: number, policy: RepPolicy): Promise<number[]> {
  return repeat(
    async () => {
      program.run();
      await program.gpu.idle();
    },
    warmup,
    policy,
  );
}

/** GFLOP/s of `flops` floating-point operations done in `ms` milliseconds, as the results files round it. */
export const gflops = (flops: number, ms: number): number => round(flops / (ms * 1e6), 3);
