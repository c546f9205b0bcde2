import type { Model } from '../model/model.ts';

/** Standard deviation of the input embedding matrix (Kuratov et al. scale their init by it). */
export async function embeddingStd(model: Model): Promise<number> {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const c of model.weights.embed.chunks) {
    const w = await model.gpu.read(c.w);
    for (let i = 0; i < c.rows * model.spec.hidden; i++) {
      sum += w[i];
      sumSq += w[i] * w[i];
    }
    n += c.rows * model.spec.hidden;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
}

/** The std new vectors are drawn with: the embeddings' own ('embedding-std'), else 1. */
export async function initStd(model: Model, init: string): Promise<number> {
  return init === 'embedding-std' ? embeddingStd(model) : 1;
}
