/**
 * The result row of the "other models" parts (the fixture models and the random-weight big-model
 * shapes), the random texts they time, and timeOneStep: one warm-up and one timed step for models
 * whose step takes seconds to minutes, with out-of-memory and binding-limit errors caught and
 * recorded as the row's reason instead of ending the run.
 */
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import type { Model } from '../../src/model/model.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { Rng } from '../../src/util/rng.ts';
import type { KernelBreakdownResult } from './kernel-breakdown.ts';
import { now, round } from './timing.ts';

export interface ModelStepResult {
  /** 'fixtures-<folder>' or a BIG_MODELS name. */
  model: string;
  kind: 'fixture' | 'random-shaped';
  N: number;
  /** null when it was not measured: see `reason`. */
  msPerStep: number | null;
  /** Timed steps (after `warmup` untimed ones). */
  steps: number;
  warmup: number;
  /** The first (warm-up) step alone: set-up, pipeline compilation and one step. */
  warmupMs?: number;
  /** Model load (for random-shaped models: generating and uploading the weights). */
  loadMs?: number;
  /** GPU bytes held while the trainer lived (weights + the step's buffers). */
  gpuBytes?: number;
  reason?: string;
  /** Per-kernel GPU time of one step at this N (fixtures with a PyTorch reference, at N = 64): where the time goes. */
  kernels?: KernelBreakdownResult;
}

/** N token ids drawn uniformly from the vocabulary (seeded): the step's cost does not depend on which tokens. */
export function randomTokens(vocab: number, N: number, seed = N): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: N }, () => rng.int(vocab));
}

/** A ModelStepResult without what the caller knows (which model, its kind, its load time). */
type OneStep = Omit<ModelStepResult, 'model' | 'kind' | 'loadMs'>;

/**
 * One warm-up step, then one timed step, for models where a step takes many seconds. A warm-up
 * over `limitMs` is recorded as the reason and not repeated. Out-of-memory and validation errors
 * (a buffer past a binding limit) are caught by `Gpu.checked` and reported as the reason.
 */
export async function timeOneStep(model: Model, tokens: number[], limitMs: number): Promise<OneStep> {
  const gpu = model.gpu;
  const N = tokens.length;
  let warmup = 0;
  let result: OneStep;
  try {
    result = await gpu.checked(`one optimisation step at N = ${N}`, async (): Promise<OneStep> => {
      let trainer: ProtoTrainer | null = null;
      try {
        const t0 = now();
        trainer = await ProtoTrainer.create(model, singleText(tokens, 0), { ...PAPER_SETTINGS, maxSteps: 3 });
        trainer.submitSteps(1);
        await trainer.report();
        warmup = 1;
        const warmupMs = round(now() - t0);
        const gpuBytes = gpu.bytesAllocated;
        if (warmupMs > limitMs) {
          return { N, msPerStep: null, steps: 0, warmup, warmupMs, gpuBytes, reason: `the warm-up step took ${(warmupMs / 1000).toFixed(0)} s, over the ${(limitMs / 1000).toFixed(0)} s limit: not timed again` };
        }
        const t1 = now();
        trainer.submitSteps(1);
        await gpu.idle();
        return { N, msPerStep: round(now() - t1), steps: 1, warmup, warmupMs, gpuBytes };
      } catch (e) {
        return { N, msPerStep: null, steps: 0, warmup, reason: (e as Error).message };
      } finally {
        trainer?.destroy();
      }
    });
  } catch (e) {
    // An out-of-memory or validation error inside the step (Gpu.checked's message names which).
    return { N, msPerStep: null, steps: 0, warmup, reason: (e as Error).message };
  }
  if (gpu.lost) return { N, msPerStep: null, steps: 0, warmup, reason: 'the GPU device was lost during the step' };
  return result;
}
