import { UsageError } from '../errors.ts';
import type { LoadedCliModel } from '../model-dir.ts';
import { timeSteps } from '../../prototokens/step-timing.ts';
import { Rng } from '../../util/rng.ts';

export interface BenchReport {
  model: string;
  n: number;
  ms_per_step: number;
  steps: number;
  dispatches_per_step: number;
  adapter: { vendor: string; architecture: string; description: string; platform: string; fallback: boolean };
}

/**
 * `protolab bench --model DIR --n N`: ms per optimisation step of this model at N positions on
 * this machine's adapter (the step `npm run bench` measures, for any model). The targets are
 * seeded random token ids: the step's cost does not depend on which tokens they are.
 */
export async function runBench({ gpu, model }: Pick<LoadedCliModel, 'gpu' | 'model'>, n: number): Promise<BenchReport> {
  if (n > model.spec.maxPositions) throw new UsageError(`--n ${n} is more than this model's ${model.spec.maxPositions} positions.`);
  const rng = new Rng(0);
  const tokens = Array.from({ length: n }, () => rng.int(model.spec.vocabSize));
  const t = await timeSteps(model, tokens, { warmup: 3, minSteps: 5, maxSteps: 200, budgetMs: 5000 });
  const i = gpu.info;
  return {
    model: model.id,
    n,
    ms_per_step: t.msPerStep,
    steps: t.steps,
    dispatches_per_step: t.dispatchesPerStep,
    adapter: { vendor: i.vendor, architecture: i.architecture, description: i.description, platform: i.platform, fallback: i.isFallbackAdapter },
  };
}

export function printBench(r: BenchReport): string {
  const a = r.adapter;
  return `${r.model}, N = ${r.n}: ${r.ms_per_step} ms per optimisation step (${r.steps} steps timed, ${r.dispatches_per_step} dispatches each) on ${a.vendor} ${a.architecture} ${a.description}`.trim();
}
