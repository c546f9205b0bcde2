/**
 * The page's weight-format setting. Pure; the formats themselves, and the note for a solution
 * trained against another format, are src/shared/weight-formats.ts.
 */
import { choiceField } from '../shared/fields.ts';
import { WEIGHT_CHOICES, type WeightChoice } from '../shared/weight-formats.ts';

/**
 * `checkpoint` (the default, left out of the URL) loads the weights in the checkpoint's own
 * precision: the worker's loadModel without `weights`. A word rather than '' so `?weights=checkpoint`
 * reads as what it does.
 */
export const CHECKPOINT_WEIGHTS = 'checkpoint';
export type PageWeights = typeof CHECKPOINT_WEIGHTS | WeightChoice;
export const PAGE_WEIGHTS: readonly PageWeights[] = [CHECKPOINT_WEIGHTS, ...WEIGHT_CHOICES];

export const WEIGHTS_FIELD = choiceField({
  key: 'weights',
  url: 'weights',
  label: 'weights',
  help: "how the model's weights are stored on the GPU: the checkpoint's own precision, a format, or auto (the most precise one that fits)",
  fallback: CHECKPOINT_WEIGHTS,
  values: PAGE_WEIGHTS,
});

/** What a loadModel message carries for the setting (undefined: the checkpoint's own precision). */
export function weightsToLoad(w: PageWeights): WeightChoice | undefined {
  return w === CHECKPOINT_WEIGHTS ? undefined : w;
}
