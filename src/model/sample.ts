import { Program } from '../gpu/program.ts';
import type { Model } from './model.ts';
import { TransformerSession, NONE } from './transformer.ts';
import { recordTokenEmbeddings } from './evaluate.ts';
import { Rng } from '../util/rng.ts';

export interface SampleOptions {
  /** Token ids never sampled (e.g. BOS/EOS, as Hugging Face's min_new_tokens keeps EOS out). */
  exclude?: readonly number[];
  /** Sample only ids below this (the tokenizer's vocabulary when the embedding matrix is padded). */
  vocabLimit?: number;
}

/**
 * Draws one token from logits / temperature (softmax in float64, inverse CDF with one uniform
 * draw of `rng`). Temperature 0 is greedy (the first maximum). Pure: the CPU half of sampling.
 */
export function sampleToken(logits: ArrayLike<number>, rng: Rng, temperature: number, allowed: (id: number) => boolean): number {
  const V = logits.length;
  let best = -1;
  let max = -Infinity;
  for (let i = 0; i < V; i++) {
    if (allowed(i) && logits[i] > max) {
      max = logits[i];
      best = i;
    }
  }
  if (best < 0) throw new Error('No token may be sampled: every id is excluded or has logit -Infinity/NaN.');
  const u = rng.next(); // drawn even when greedy, so a run's draws do not depend on the temperature
  if (temperature === 0 || max === Infinity) return best;
  const w = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    if (!allowed(i)) continue;
    const e = Math.exp((logits[i] - max) / temperature);
    if (Number.isFinite(e)) {
      w[i] = e;
      sum += e;
    }
  }
  let target = u * sum;
  let last = best;
  for (let i = 0; i < V; i++) {
    if (w[i] === 0) continue;
    last = i;
    target -= w[i];
    if (target < 0) return i;
  }
  return last; // rounding left a sliver of mass: the last candidate takes it
}

/**
 * Multinomial sampling of `count` tokens after `contextIds` at `temperature`, seeded. The prefix is
 * re-run for every new token (one session of the final length; causal attention makes the later
 * positions irrelevant), the last position's logits row is copied out on the GPU and read back,
 * and the token is drawn on the CPU with Rng(seed). Same model, context and seed: same tokens
 * (on the same GPU; logits that differ in the last bits elsewhere can flip a rare draw).
 *
 * Needs the full logits of the session (keepLogits): refused for a vocabulary x length that does
 * not fit one GPU buffer.
 */
export async function sampleContinuation(
  model: Model,
  contextIds: readonly number[],
  count: number,
  seed: number,
  temperature = 1,
  opts: SampleOptions = {},
): Promise<number[]> {
  const { gpu, spec } = model;
  const V = spec.vocabSize;
  if (contextIds.length === 0) throw new Error('Sampling needs at least one context token (e.g. BOS).');
  if (!Number.isInteger(count) || count < 0) throw new Error(`The number of tokens to sample must be a non-negative integer, got ${count}.`);
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new Error(`The temperature must be a finite number >= 0, got ${temperature}.`);
  for (const t of contextIds) {
    if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`Token id ${t} is outside this model's vocabulary (0..${V - 1}).`);
  }
  const total = contextIds.length + count;
  if (total > spec.maxPositions) {
    throw new Error(`${contextIds.length} context + ${count} sampled tokens = ${total} positions, but this model handles at most ${spec.maxPositions}.`);
  }
  if (count === 0) return [];
  const limit = Math.min(V, opts.vocabLimit ?? V);
  const excluded = new Set(opts.exclude ?? []);
  const allowed = (id: number) => id < limit && !excluded.has(id);

  const session = new TransformerSession(model, { batch: 1, seqLen: total, withGrad: false, keepLogits: true });
  const ids = gpu.createTensor([total], 'u32', 'sample_ids');
  const row = gpu.createTensor([V], 'f32', 'sample_logits_row');
  const p = new Program(gpu, 'sample');
  try {
    gpu.write(session.targets, new Uint32Array(total).fill(NONE));
    recordTokenEmbeddings(p, model, session, ids);
    session.recordForward(p);
    const rng = new Rng(seed);
    const tokens = new Uint32Array(total);
    tokens.set(contextIds);
    for (let cur = contextIds.length; cur < total; cur++) {
      gpu.write(ids, tokens);
      p.run();
      const pick = new Program(gpu, 'sample.row');
      pick.copy('logits.last', session.logits!, row, V * 4, (cur - 1) * V * 4);
      pick.run();
      const logits = await gpu.read(row);
      pick.destroy();
      tokens[cur] = sampleToken(logits, rng, temperature, allowed);
    }
    return Array.from(tokens.subarray(contextIds.length));
  } finally {
    p.destroy();
    gpu.destroyTensor(row);
    gpu.destroyTensor(ids);
    session.destroy();
  }
}
