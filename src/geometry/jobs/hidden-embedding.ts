/**
 * The fallback "semantic" text embedding: the loaded model's own final hidden states (after the last
 * norm), mean-pooled over the text's tokens. Used when no sentence-embedding model (all-MiniLM-L6-v2)
 * can be loaded; it is what the language model itself makes of a text, not a sentence encoder
 * trained for similarity, and the UI says so.
 */
import type { Model } from '../../model/model.ts';
import { hiddenStates } from '../../model/hidden-states.ts';

/** Final hidden states [B][N·d] of B token sequences of one length N (model/hidden-states.ts). */
export function finalHiddenStates(model: Model, sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
  return hiddenStates(model, sequences, model.spec.layers, 'Use fewer or shorter texts, or the MiniLM text embedding.');
}

/** Mean over rows [from, N) of an [N, d] matrix, in float64. */
export function meanRows(states: ArrayLike<number>, d: number, from = 0): Float64Array {
  const N = states.length / d;
  if (!Number.isInteger(N) || N - from < 1) throw new Error(`Nothing to average: ${N} rows of width ${d}, starting at row ${from}.`);
  const out = new Float64Array(d);
  for (let i = from; i < N; i++) for (let j = 0; j < d; j++) out[j] += states[i * d + j];
  return out.map((x) => x / (N - from));
}

export interface HiddenEmbeddingOptions {
  /** Put before every text (the model's BOS when its tokenizer adds one); not part of the average. */
  bos?: number | null;
  /** Sequences per forward pass. */
  batch?: number;
}

/**
 * One vector per text: the mean of its tokens' final hidden states. A leading BOS is fed, as the
 * model normally sees a text, but left out of the mean (every text would share it). Texts of equal
 * length run together.
 */
export async function meanHiddenEmbeddings(model: Model, texts: readonly (readonly number[])[], opts: HiddenEmbeddingOptions = {}): Promise<Float64Array[]> {
  const bos = opts.bos ?? null;
  const batch = opts.batch ?? 16;
  const d = model.spec.hidden;
  const out = new Array<Float64Array>(texts.length);
  const byLength = new Map<number, number[]>();
  texts.forEach((t, i) => {
    if (t.length === 0) throw new Error(`Text ${i + 1} has no tokens; a text embedding needs at least one.`);
    const n = t.length + (bos === null ? 0 : 1);
    if (n > model.spec.maxPositions) throw new Error(`Text ${i + 1} needs ${n} positions but the model takes at most ${model.spec.maxPositions}; use shorter texts.`);
    byLength.set(t.length, [...(byLength.get(t.length) ?? []), i]);
  });
  for (const group of byLength.values()) {
    for (let k = 0; k < group.length; k += batch) {
      const part = group.slice(k, k + batch);
      const states = await finalHiddenStates(model, part.map((i) => (bos === null ? [...texts[i]] : [bos, ...texts[i]])));
      part.forEach((i, b) => (out[i] = meanRows(states[b], d, bos === null ? 0 : 1)));
    }
  }
  return out;
}
