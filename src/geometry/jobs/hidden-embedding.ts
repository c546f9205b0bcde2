/**
 * The fallback "semantic" text embedding: the loaded model's own final hidden states (after the last
 * norm), mean-pooled over the text's tokens. Used when no sentence-embedding model (all-MiniLM-L6-v2)
 * can be loaded; it is what the language model itself makes of a text, not a sentence encoder
 * trained for similarity, and the UI says so.
 */
import { Program } from '../../gpu/program.ts';
import type { Model } from '../../model/model.ts';
import { recordTokenEmbeddings } from '../../model/evaluate.ts';
import { NONE, TransformerSession } from '../../model/transformer.ts';
import { withOomScope } from '../../gpu/oom-scope.ts';

/**
 * Final hidden states [B][N·d] of B token sequences of one length N, in one batched forward pass
 * (ordinary causal use: token embeddings in, so position i sees tokens 0..i).
 */
export async function finalHiddenStates(model: Model, sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
  const { gpu, spec } = model;
  const B = sequences.length;
  if (B === 0) return [];
  const N = sequences[0].length;
  if (N === 0) throw new Error('A text with no tokens has no hidden states.');
  for (const s of sequences) {
    if (s.length !== N) throw new Error(`Sequences run together must have the same length (${s.length} vs ${N} tokens).`);
    for (const t of s) if (!Number.isInteger(t) || t < 0 || t >= spec.vocabSize) throw new Error(`Token id ${t} is outside this model's vocabulary (0..${spec.vocabSize - 1}).`);
  }
  const session = await withOomScope(gpu, () => new TransformerSession(model, { batch: B, seqLen: N, withGrad: false }), (asked, why) =>
    `The hidden states of ${B} text${B === 1 ? '' : 's'} of ${N} tokens need ${asked} of GPU memory, more than the device could give (${why}). Use fewer or shorter texts, or the MiniLM text embedding.`,
  );
  const ids = gpu.createTensor([B * N], 'u32', 'hidden_ids');
  const p = new Program(gpu, 'hidden');
  try {
    gpu.write(ids, Uint32Array.from(sequences.flat()));
    gpu.write(session.targets, new Uint32Array(B * N).fill(NONE));
    recordTokenEmbeddings(p, model, session, ids);
    session.recordForward(p);
    p.run();
    const all = await gpu.read(session.finalHidden);
    const w = N * spec.hidden;
    return Array.from({ length: B }, (_, b) => all.slice(b * w, (b + 1) * w));
  } finally {
    p.destroy();
    gpu.destroyTensor(ids);
    session.destroy();
  }
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
