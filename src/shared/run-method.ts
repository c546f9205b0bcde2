/**
 * Which method a compression from the page runs: the paper's proto-tokens, or the memory-token
 * baseline of Kuratov et al. (K trainable vectors before the text's own token embeddings). Pure:
 * the page chooses it, the worker runs it, checkpoints record it.
 */
import { maxTokensFor, type FirstTarget, type LayoutName } from './layouts.ts';

export type RunMethod = { kind: 'oneshot' } | { kind: 'memory'; K: number };

export const ONESHOT: RunMethod = { kind: 'oneshot' };

/** Input positions a memory-token run of a text of N tokens needs: K memory vectors and the first N - 1 tokens. */
export function memoryPositions(N: number, K: number): number {
  return K + N - 1;
}

/** The longest text (in tokens) a run of `method` fits into a model of `maxPositions` input positions. */
export function maxTokensForRun(maxPositions: number, s: { layout: LayoutName; firstTarget: FirstTarget }, method: RunMethod = ONESHOT): number {
  return method.kind === 'memory' ? Math.max(0, maxPositions - memoryPositions(0, method.K)) : maxTokensFor(maxPositions, s.layout, s.firstTarget);
}
