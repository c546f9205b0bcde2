import type { Model } from '../model/model.ts';
import { restarts, singleText } from './problem.ts';
import { PAPER_SETTINGS } from '../shared/run-settings.ts';
import { ProtoTrainer } from './trainer.ts';

export interface StepTiming {
  N: number;
  /** Restart seeds of the text trained in the one batch (default 1). */
  seeds: number;
  /** Steps run before timing (the first compiles and allocates anything new). */
  warmup: number;
  steps: number;
  /** Steady-state ms per optimisation step: `steps` steps queued back to back, timed to completion. */
  msPerStep: number;
  dispatchesPerStep: number;
}

export interface StepTimingOptions {
  warmup: number;
  minSteps: number;
  maxSteps: number;
  /** The timed steps are sized from the warm-up to take about this long. */
  budgetMs: number;
  /** Restarts of the text in one batch (batch dimension of the step); default 1. */
  seeds?: number;
}

/**
 * ms per optimisation step (layout, forward, backward, AdamW, keep-best) for an N-token target
 * (or `seeds` restarts of it as one batch),
 * the way optimise() drives the trainer: submissions queued ahead, no read-back in between.
 * `warmup` steps, then a count of steps sized from the warm-up to take about budgetMs (between
 * minSteps and maxSteps), queued back to back and timed until the GPU is idle. The benchmark
 * (bench/suite/) and `protolab bench` both measure with this.
 */
export async function timeSteps(model: Model, tokens: number[], o: StepTimingOptions): Promise<StepTiming> {
  const now = (): number => performance.now();
  const seeds = o.seeds ?? 1;
  const problem = seeds === 1 ? singleText(tokens, 0) : restarts(tokens, 0, seeds);
  const trainer = await ProtoTrainer.create(model, problem, { ...PAPER_SETTINGS, maxSteps: o.warmup + o.maxSteps + 1 });
  try {
    trainer.submitSteps(1); // compiles anything new
    await trainer.report();
    const w0 = now();
    trainer.submitSteps(o.warmup);
    await trainer.report();
    const estimate = (now() - w0) / Math.max(1, o.warmup);
    const steps = Math.max(o.minSteps, Math.min(o.maxSteps, Math.round(o.budgetMs / Math.max(estimate, 1e-3))));
    const t0 = now();
    trainer.submitSteps(steps);
    await model.gpu.idle();
    const ms = (now() - t0) / steps;
    return { N: tokens.length, seeds, warmup: o.warmup + 1, steps, msPerStep: Number(ms.toFixed(2)), dispatchesPerStep: trainer.dispatchesPerStep };
  } finally {
    trainer.destroy();
  }
}
