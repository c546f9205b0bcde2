/**
 * ms per optimisation step of random-weight models with the exact shapes of Pythia-160M and
 * Llama-3.2-1B (src/model/shapes.ts), generated in memory and loaded through the real loader:
 * whether, and how fast, the engine steps models of that size. A step there can take minutes on
 * SwiftShader, so each N gets one warm-up and one timed step, and a size whose step would go over
 * the limit is recorded with the reason rather than run.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { randomModelSource } from '../../src/model/sources/random-source.ts';
import { BIG_MODELS } from '../../src/model/shapes.ts';
import { randomTokens, timeOneStep, type ModelStepResult } from './model-steps.ts';
import { now, round } from './timing.ts';

/** Longest a big model's step may take here before the next size is not tried (the brief's ~3 min). */
export const BIG_STEP_LIMIT_MS = 180_000;

/**
 * Random-weight models with the shapes of Pythia-160M and Llama-3.2-1B (src/model/shapes.ts),
 * built in memory and loaded through loadModel: one warm-up and one timed step at each N. A size
 * whose step would exceed the limit (judged from the previous size's step, scaled by the token
 * count) is recorded with that measured reason instead of run.
 */
export async function benchBigModels(gpu: Gpu, Ns: number[], log: (l: string) => void, limitMs = BIG_STEP_LIMIT_MS): Promise<ModelStepResult[]> {
  const out: ModelStepResult[] = [];
  for (const { name, config } of BIG_MODELS) {
    log(`${name}: generating and loading random weights`);
    const t0 = now();
    let model: Model;
    try {
      model = await loadModel(gpu, randomModelSource(config, { seed: 0, describe: name }));
    } catch (e) {
      for (const N of Ns) out.push({ model: name, kind: 'random-shaped', N, msPerStep: null, steps: 0, warmup: 0, reason: `load failed: ${(e as Error).message}` });
      continue;
    }
    const loadMs = round(now() - t0);
    let last: { N: number; ms: number } | null = null;
    let failed: number | null = null;
    for (const N of Ns) {
      if (failed !== null || gpu.lost) {
        out.push({ model: name, kind: 'random-shaped', N, msPerStep: null, steps: 0, warmup: 0, loadMs, reason: gpu.lost ? 'not run: the GPU device was lost' : `not run: N=${failed} failed` });
        continue;
      }
      if (last && (last.ms * N) / last.N > limitMs) {
        const est = (last.ms * N) / last.N;
        out.push({ model: name, kind: 'random-shaped', N, msPerStep: null, steps: 0, warmup: 0, loadMs, reason: `not run: N=${last.N} took ${(last.ms / 1000).toFixed(0)} s per step, so N=${N} would take at least ~${(est / 1000).toFixed(0)} s (over the ${(limitMs / 1000).toFixed(0)} s limit)` });
        continue;
      }
      log(`${name}: one warm-up and one timed step at N=${N}`);
      const r = await timeOneStep(model, randomTokens(model.spec.vocabSize, N), limitMs);
      out.push({ model: name, kind: 'random-shaped', loadMs, ...r });
      log(`${name} N=${N}: ${r.msPerStep !== null ? `${r.msPerStep} ms per step` : r.reason}`);
      const ms = r.msPerStep ?? r.warmupMs;
      if (ms === undefined) failed = N; // an error (memory, limits): a longer text will not do better
      else last = { N, ms };
    }
    model.destroy();
  }
  return out;
}
