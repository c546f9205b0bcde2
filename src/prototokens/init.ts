import type { Model } from '../model/model.ts';
import { readLinear } from '../model/linear.ts';

/**
 * Standard deviation of the token embeddings as the model receives them (Kuratov et al. scale
 * their init by the embedding matrix's): the stored matrix's, times Gemma's sqrt(hidden), which
 * its embedding layer applies before the first layer sees a token.
 */
export async function embeddingStd(model: Model): Promise<number> {
  const w = await readLinear(model.gpu, model.weights.embed);
  const n = w.length;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    sum += w[i];
    sumSq += w[i] * w[i];
  }
  const mean = sum / n;
  return model.spec.embedScale * Math.sqrt(Math.max(0, sumSq / n - mean * mean));
}

/** The std new vectors are drawn with: the embeddings' own ('embedding-std'), else 1. */
export async function initStd(model: Model, init: string): Promise<number> {
  return init === 'embedding-std' ? embeddingStd(model) : 1;
}
