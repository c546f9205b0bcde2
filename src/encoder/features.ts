/**
 * The encoder's input: what the frozen model itself makes of the text. One causal forward pass over
 * [bos?, ...text] gives hidden states [N, d] at a chosen layer; a pooling turns them into one
 * feature vector per text. The model is frozen, so a text's features never change: they are read
 * once per text and only the small network on top of them (net.ts) trains.
 *
 * Pools (F = feature width, d = hidden):
 *   mean       F = d     the mean over the text's positions
 *   last       F = d     the last position (it has read the whole text)
 *   mean-last  F = 2·d   both, concatenated
 *   flat       F = N·d   every position in order (fixed length N: position-specific weights)
 * Features are standardised with per-column statistics of the training texts (kept in the encoder
 * file), so one learning rate suits every layer and model scale.
 */
import type { Model } from '../model/model.ts';
import { hiddenStates } from '../model/hidden-states.ts';

export const POOLS = ['mean', 'last', 'mean-last', 'flat'] as const;
export type Pool = (typeof POOLS)[number];

export interface FeatureSpec {
  /** Hidden states read: 0..layers-1 the residual stream entering that layer, layers the final (normed) states. */
  layer: number;
  pool: Pool;
  /** Tokens per text (the pooled width of 'flat' depends on it). */
  length: number;
  /** Put before the text (the tokenizer's BOS) so the model reads it as a document start; not pooled. */
  bos: number | null;
}

/** Per-column mean and standard deviation of the training features. */
export interface FeatureStats {
  mean: Float32Array;
  std: Float32Array;
}

export function featureWidth(f: FeatureSpec, hidden: number): number {
  return f.pool === 'flat' ? f.length * hidden : f.pool === 'mean-last' ? 2 * hidden : hidden;
}

/** One text's pooled features from its hidden states [rows, d] (the BOS row, if any, skipped). */
export function pool(states: Float32Array, d: number, f: FeatureSpec): Float32Array {
  const from = f.bos === null ? 0 : 1;
  const N = states.length / d - from;
  if (N !== f.length) throw new Error(`A text of ${N} tokens cannot be encoded by an encoder for ${f.length} tokens.`);
  const rows = states.subarray(from * d);
  if (f.pool === 'flat') return Float32Array.from(rows);
  const mean = new Float32Array(d);
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) mean[j] += rows[i * d + j] / N;
  const last = rows.slice((N - 1) * d, N * d);
  if (f.pool === 'mean') return mean;
  if (f.pool === 'last') return last;
  const both = new Float32Array(2 * d);
  both.set(mean);
  both.set(last, d);
  return both;
}

/** Raw (unstandardised) features [K, F] of K texts of f.length tokens, in batched forward passes. */
export async function textFeatures(model: Model, texts: readonly (readonly number[])[], f: FeatureSpec, onProgress?: (done: number) => void): Promise<Float32Array> {
  const d = model.spec.hidden;
  const F = featureWidth(f, d);
  const out = new Float32Array(texts.length * F);
  const rows = f.length + (f.bos === null ? 0 : 1);
  // About 16k positions per pass: the whole training set of a small model in a few passes, one text at a time never.
  const chunk = Math.max(1, Math.floor(16384 / rows));
  for (let k0 = 0; k0 < texts.length; k0 += chunk) {
    const part = texts.slice(k0, k0 + chunk).map((t) => (f.bos === null ? [...t] : [f.bos, ...t]));
    const states = await hiddenStates(model, part, f.layer);
    states.forEach((s, i) => out.set(pool(s, d, f), (k0 + i) * F));
    onProgress?.(Math.min(texts.length, k0 + chunk));
  }
  return out;
}

/** Column statistics of [K, F] features; a constant column gets std 1 so it standardises to 0. */
export function featureStats(x: Float32Array, F: number): FeatureStats {
  const K = x.length / F;
  const mean = new Float64Array(F);
  const sq = new Float64Array(F);
  for (let k = 0; k < K; k++) for (let j = 0; j < F; j++) mean[j] += x[k * F + j] / K;
  for (let k = 0; k < K; k++) for (let j = 0; j < F; j++) sq[j] += (x[k * F + j] - mean[j]) ** 2 / K;
  return { mean: Float32Array.from(mean), std: Float32Array.from(sq, (v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

/** (x - mean) / std per column, in place; returns x. */
export function standardise(x: Float32Array, s: FeatureStats): Float32Array {
  const F = s.mean.length;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - s.mean[i % F]) / s.std[i % F];
  return x;
}
