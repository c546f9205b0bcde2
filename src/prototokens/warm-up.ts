/**
 * Compiles a proto-token step's pipelines before the first run needs them. On a CPU adapter the
 * two dozen pipelines of a step take most of a second to compile, the whole of a short text's
 * first step; the page loads its model long before a text is pasted, so the lab builds and drops
 * a small trainer right after the load, and the first real run finds its pipelines compiled (or
 * still compiling: it waits for the same ones, it does not start them again). Only the matmul
 * variants depend on the text's length; attention, norms, cross-entropy and AdamW do not.
 */
import type { Model } from '../model/model.ts';
import { singleText } from './problem.ts';
import { ProtoTrainer } from './trainer.ts';
import { PAPER_SETTINGS } from '../shared/run-settings.ts';

/** The length warmed for: the lab's default run is a pasted sentence or two. */
export const WARM_UP_TOKENS = 16;

export async function warmUpStep(model: Model, tokens = WARM_UP_TOKENS): Promise<void> {
  const N = Math.max(1, Math.min(tokens, model.spec.maxPositions));
  const targets = Array.from({ length: N }, (_, i) => i % model.spec.vocabSize);
  const trainer = await ProtoTrainer.create(model, singleText(targets, 0), { ...PAPER_SETTINGS, maxSteps: 1 });
  trainer.destroy();
}
