/**
 * ms per optimisation step of the small fixture models (assets/fixtures: GPT-NeoX, bf16, Llama
 * with grouped-query attention and untied embeddings) at a few N: the architectures stories260k
 * does not exercise, timed with the same timeSteps as stories260k. The fixture with a PyTorch
 * reference also gets a kernel breakdown at one N, so a missed target comes with its reason.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import type { Model } from '../../src/model/model.ts';
import { timeSteps } from '../../src/prototokens/step-timing.ts';
import { kernelBreakdown } from './kernel-breakdown.ts';
import { randomTokens, type ModelStepResult } from './model-steps.ts';
import { now, round } from './timing.ts';

/** ms per step of a fixture model at each N (timeSteps, a few steps each: these models are small). */
export async function benchFixture(
  gpu: Gpu,
  name: string,
  load: (gpu: Gpu, fixture: string) => Promise<Model>,
  Ns: number[],
  quick: boolean,
  log: (l: string) => void,
  breakdownAt: number | null = null,
): Promise<ModelStepResult[]> {
  const model = `fixtures-${name}`;
  const t0 = now();
  let m: Model;
  try {
    m = await load(gpu, name);
  } catch (e) {
    return Ns.map((N) => ({ model, kind: 'fixture', N, msPerStep: null, steps: 0, warmup: 0, reason: `load failed: ${(e as Error).message}` }));
  }
  const loadMs = round(now() - t0);
  const out: ModelStepResult[] = [];
  for (const N of Ns) {
    log(`optimisation steps ${model} N=${N}`);
    const tokens = randomTokens(m.spec.vocabSize, N);
    const t = await timeSteps(m, tokens, quick ? { warmup: 1, minSteps: 1, maxSteps: 1, budgetMs: 0 } : { warmup: 2, minSteps: 3, maxSteps: 20, budgetMs: 3000 });
    const row: ModelStepResult = { model, kind: 'fixture', N, msPerStep: t.msPerStep, steps: t.steps, warmup: t.warmup, loadMs };
    if (N === breakdownAt) {
      log(`kernel breakdown ${model} N=${N}`);
      row.kernels = await kernelBreakdown(m, tokens, quick ? 1 : 3);
    }
    out.push(row);
  }
  m.destroy();
  return out;
}
