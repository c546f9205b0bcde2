import type { ModelSpec } from './config.ts';
import { type ModelPlan, type LayerPlan, whole, conv1d } from './weight-plan.ts';

/**
 * Hugging Face GPT2LMHeadModel tensor names, with or without the `transformer.` prefix (old
 * checkpoints, openai-community/gpt2 among them, have none; newer saves have it). GPT-2's
 * projections are Conv1D, stored [in, out]: each is uploaded transposed (weight-plan.ts conv1d).
 * c_attn is the fused q | k | v projection with its columns already in the engine's order (all q
 * heads, then all k, then all v; each head's hd columns together), so it needs no routing. The
 * buffers h.N.attn.bias and h.N.attn.masked_bias of old checkpoints (the causal mask) are not read.
 */
export function gpt2Plan(spec: ModelSpec): ModelPlan {
  const d = spec.hidden;
  const layers: LayerPlan[] = [];
  for (let i = 0; i < spec.layers; i++) {
    const pre = `h.${i}`;
    layers.push({
      norm1: { w: `${pre}.ln_1.weight`, b: `${pre}.ln_1.bias`, dim: d },
      norm2: { w: `${pre}.ln_2.weight`, b: `${pre}.ln_2.bias`, dim: d },
      qNorm: null,
      kNorm: null,
      qkv: conv1d(`${pre}.attn.c_attn.weight`, 3 * d, d, `${pre}.attn.c_attn.bias`),
      o: conv1d(`${pre}.attn.c_proj.weight`, d, d, `${pre}.attn.c_proj.bias`),
      up: conv1d(`${pre}.mlp.c_fc.weight`, spec.intermediate, d, `${pre}.mlp.c_fc.bias`),
      down: conv1d(`${pre}.mlp.c_proj.weight`, d, spec.intermediate, `${pre}.mlp.c_proj.bias`),
    });
  }
  return {
    embed: whole('wte.weight', spec.vocabSize, d, null),
    positions: whole('wpe.weight', spec.maxPositions, d, null),
    layers,
    finalNorm: { w: 'ln_f.weight', b: 'ln_f.bias', dim: d },
    // GPT2LMHeadModel's lm_head is an nn.Linear [vocab, d] outside `transformer.`, saved only when untied.
    lmHead: spec.tiedEmbeddings ? null : whole('lm_head.weight', spec.vocabSize, d, null),
    aliases: (name) => [`transformer.${name}`],
  };
}
