/**
 * Cold start of stories260k: from nothing (no device, no model, no compiled pipeline) to the first
 * finished optimisation step, split into device creation, model load and the first step. It must
 * run on a fresh Gpu before any other part, because pipelines are cached per Gpu and a warm cache
 * would hide the compile time a first visit pays.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import type { Model } from '../../src/model/model.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { now, round } from './timing.ts';

export interface FirstStep {
  /** requestAdapter + requestDevice. */
  deviceMs: number;
  /** config, safetensors header, weight upload (from disk in Node, over HTTP from the dev server in the browser). */
  loadMs: number;
  /** Trainer set-up (buffers, recording, pipeline creation) + the first optimisation step until the GPU has finished it. */
  firstStepMs: number;
  /** All three: from nothing to the first finished step. */
  totalMs: number;
  /** Pipelines compiled by then. */
  pipelines: number;
  /** Browser only: HTTP requests for model files during the load (filled in by bench/run.ts). */
  modelHttpRequests?: number;
}

/**
 * Cold start, measured on a fresh device (pipelines are cached per Gpu, so this must run before
 * any other benchmark on it): model load, then one optimisation step of a 16-token text.
 * `acquire` creates the Gpu; `load` loads stories260k on it.
 */
export async function firstStep(
  acquire: () => Promise<Gpu>,
  load: (gpu: Gpu) => Promise<Model>,
  text: number[],
): Promise<{ gpu: Gpu; model: Model; timing: FirstStep }> {
  const t0 = now();
  const gpu = await acquire();
  const t1 = now();
  const model = await load(gpu);
  await gpu.idle();
  const t2 = now();
  const trainer = await ProtoTrainer.create(model, singleText(text, 0), { ...PAPER_SETTINGS, maxSteps: 1 });
  trainer.submitSteps(1);
  await trainer.report();
  const t3 = now();
  trainer.destroy();
  return {
    gpu,
    model,
    timing: { deviceMs: round(t1 - t0), loadMs: round(t2 - t1), firstStepMs: round(t3 - t2), totalMs: round(t3 - t0), pipelines: gpu.pipelineCount },
  };
}
