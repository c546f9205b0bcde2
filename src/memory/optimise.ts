import type { Model } from '../model/model.ts';
import { optimise, type OptimiseHooks, type OptimiseResult } from '../prototokens/optimise.ts';
import { MemoryTrainer, type MemoryVectors } from './trainer.ts';
import type { MemoryProblem } from './problem.ts';
import { MEMORY_SETTINGS, type MemorySettings } from './settings.ts';

/**
 * Optimises the memory vectors of every item of `problem` with the one-shot method's loop
 * (optimise(): pipelined steps, stop when every item is solved, at max steps or patience, keep
 * the best). The result has OptimiseResult's shape; `best` holds each item's K memory vectors.
 * A ProtoSettings object is accepted as settings (its layout fields are ignored).
 */
export async function optimiseMemory(
  model: Model,
  problem: MemoryProblem,
  settings: MemorySettings = MEMORY_SETTINGS,
  hooks: OptimiseHooks = {},
): Promise<OptimiseResult<MemoryVectors>> {
  const trainer = await MemoryTrainer.create(model, problem, settings);
  try {
    return await optimise(trainer, hooks);
  } finally {
    trainer.destroy();
  }
}
