/**
 * A float64 CPU forward pass of a Hugging Face checkpoint of every family the lab runs, written from
 * the transformers modelling code of each (model-llama.ts, model-gemma3.ts, model-neox.ts,
 * model-gpt2.ts) and composed from this folder's op references. It reads tensors by their Hugging
 * Face names and shares nothing with the GPU engine but the config parser (the spec's numbers), so
 * it is an independent check of the engine, of a solution's decoding, and of the golden fixtures.
 * Only for tiny models: every matmul is a naive loop.
 */
import { parseConfig, type ModelSpec } from '../model/config.ts';
import type { ModelSource } from '../model/sources/source.ts';
import { matmulRef } from './matmul.ts';
import { crossEntropyRef, NONE } from './cross-entropy.ts';
import { embeddingForwardRef } from './embedding.ts';
import { openReferenceWeights, type ReferenceWeights } from './model-weights.ts';
import type { ReferenceStack } from './model-ops.ts';
import { llamaStack } from './model-llama.ts';
import { gemma3Stack } from './model-gemma3.ts';
import { neoxStack } from './model-neox.ts';
import { gpt2Stack } from './model-gpt2.ts';

export { NONE };

export interface ReferenceForward {
  /** Summed loss over the scored positions. */
  lossSum: number;
  /** [L] per-position cross-entropy; 0 where the target is NONE. */
  loss: Float64Array;
  /** [L] index of the largest logit (the smallest index on ties). */
  argmax: Uint32Array;
  /** [L, V], when asked for. */
  logits?: Float64Array;
}

export interface ReferenceModel {
  spec: ModelSpec;
  /** Token embeddings of ids [L, d] as the model's own embedding layer gives them (Gemma: times spec.embedScale). */
  embed(ids: ArrayLike<number>): Float64Array;
  /**
   * One sequence of input embeddings [L, d] (transformers' inputs_embeds: never scaled; GPT-2 adds
   * its positions to them) against targets [L] (NONE: unscored): the output at position i is scored
   * against targets[i].
   */
  forward(inputs: ArrayLike<number>, targets: ArrayLike<number>, opts?: { logits?: boolean }): ReferenceForward;
}

const STACKS: Record<ModelSpec['arch'], (w: ReferenceWeights, spec: ModelSpec) => Promise<ReferenceStack>> = {
  llama: llamaStack,
  gemma3: gemma3Stack,
  gpt_neox: neoxStack,
  gpt2: gpt2Stack,
};

export async function loadReferenceModel(source: ModelSource): Promise<ReferenceModel> {
  const spec = parseConfig(JSON.parse(await source.text('config.json')));
  const stack = await STACKS[spec.arch](await openReferenceWeights(source), spec);
  return referenceModel(spec, stack);
}

function referenceModel(spec: ModelSpec, stack: ReferenceStack): ReferenceModel {
  const { hidden: d, vocabSize: V } = spec;

  function embed(ids: ArrayLike<number>): Float64Array {
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isInteger(ids[i]) || ids[i] < 0 || ids[i] >= V) throw new Error(`token id ${ids[i]} at ${i} is outside the vocabulary [0, ${V})`);
    }
    const rows = embeddingForwardRef(ids, stack.embedTokens, new Float64Array(ids.length * d), d);
    // Gemma3TextScaledWordEmbedding: the lookup times sqrt(hidden); 1 for the other families.
    return spec.embedScale === 1 ? rows : rows.map((x) => x * spec.embedScale);
  }

  function forward(inputs: ArrayLike<number>, targets: ArrayLike<number>, opts: { logits?: boolean } = {}): ReferenceForward {
    const L = targets.length;
    if (inputs.length !== L * d) throw new Error(`${inputs.length} input values for ${L} targets of width ${d}; expected ${L * d}`);
    for (let i = 0; i < L; i++) {
      const t = targets[i];
      if (t !== NONE && !(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`target ${t} at ${i} is neither NONE nor a token id below ${V}`);
    }
    const logits = matmulRef(stack.hidden(Float64Array.from(inputs), L), stack.head, L, V, d, true);
    const ce = crossEntropyRef(logits, targets, L, V);
    let lossSum = 0;
    for (let i = 0; i < L; i++) if (targets[i] !== NONE) lossSum += ce.loss[i];
    return { lossSum, loss: ce.loss, argmax: ce.argmax, ...(opts.logits ? { logits } : {}) };
  }

  return { spec, embed, forward };
}
