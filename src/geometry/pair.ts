import type { Solution } from '../prototokens/solution-file.ts';
import { flatten, type FlatPoint } from './path.ts';
import type { PathTarget } from './jobs/evaluator.ts';

/** Two solutions to join by a path: their flat [e | m] points and the text every point is scored on. */
export interface SolutionPair {
  a: FlatPoint;
  b: FlatPoint;
  target: PathTarget;
}

/**
 * Why two solutions cannot be joined by a path, or null when they can. A path lives in one
 * model's input space and every point is scored against one text laid out one way, so the pair
 * must share the model, the layout, the first target and the text.
 */
export type PairMeta = Pick<Solution['meta'], 'model' | 'modelFingerprint' | 'hidden' | 'layout' | 'firstTarget' | 'targetIds'>;

export function pairProblem(x: PairMeta, y: PairMeta): string | null {
  if (x.modelFingerprint !== y.modelFingerprint || x.hidden !== y.hidden) return `The two solutions belong to different models (${x.model} and ${y.model}); pick two solutions of the same model.`;
  if (x.layout !== y.layout) return `The two solutions use different layouts (${x.layout} and ${y.layout}); pick two with the same layout.`;
  if (x.firstTarget !== y.firstTarget) return `The two solutions score the first token at different positions (${x.firstTarget} and ${y.firstTarget}); pick two with the same setting.`;
  if (x.targetIds.length !== y.targetIds.length || x.targetIds.some((t, i) => t !== y.targetIds[i])) return 'The two solutions encode different texts, so no single loss is defined along a path between them; pick two solutions (seeds) of the same text.';
  return null;
}

export function makePair(x: Solution, y: Solution): SolutionPair {
  const why = pairProblem(x.meta, y.meta);
  if (why) throw new Error(why);
  return { a: flatten(x.e, x.m), b: flatten(y.e, y.m), target: { layout: x.meta.layout, firstTarget: x.meta.firstTarget, targets: x.meta.targetIds } };
}
