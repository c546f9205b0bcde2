import type { ModelSpec } from './config.ts';
import { type ModelPlan, type LayerPlan, type LinearPlan, type RowPart, whole } from './weight-plan.ts';

/**
 * GPT-NeoX's query_key_value matrix interleaves heads: rows [h·3·hd, (h+1)·3·hd) hold head h's
 * q, k and v (transformers views the output as [.., heads, 3·hd] and splits the last axis). The
 * engine wants all q rows, then all k, then all v (the layout of shaders/attention.wgsl), so
 * each head's three blocks are routed to their places here, once, at load time.
 */
function neoxQkv(pre: string, spec: ModelSpec): LinearPlan {
  const hd = spec.headDim;
  const H = spec.heads;
  const d = spec.hidden;
  const name = `${pre}.attention.query_key_value.weight`;
  const bias = `${pre}.attention.query_key_value.bias`;
  const parts: RowPart[] = [];
  const biasParts: RowPart[] = [];
  for (let h = 0; h < H; h++) {
    for (let which = 0; which < 3; which++) {
      const srcRow = h * 3 * hd + which * hd;
      const dstRow = which * H * hd + h * hd;
      parts.push({ tensor: name, srcRow, rows: hd, dstRow });
      biasParts.push({ tensor: bias, srcRow, rows: hd, dstRow });
    }
  }
  return { out: 3 * H * hd, in: d, parts, biasParts, expect: { [name]: [3 * H * hd, d], [bias]: [3 * H * hd] } };
}

/** Hugging Face GPTNeoXForCausalLM (Pythia) tensor names. */
export function gptNeoxPlan(spec: ModelSpec): ModelPlan {
  const d = spec.hidden;
  const layers: LayerPlan[] = [];
  for (let i = 0; i < spec.layers; i++) {
    const pre = `gpt_neox.layers.${i}`;
    layers.push({
      norm1: { w: `${pre}.input_layernorm.weight`, b: `${pre}.input_layernorm.bias`, dim: d },
      norm2: { w: `${pre}.post_attention_layernorm.weight`, b: `${pre}.post_attention_layernorm.bias`, dim: d },
      qNorm: null,
      kNorm: null,
      qkv: neoxQkv(pre, spec),
      o: whole(`${pre}.attention.dense.weight`, d, spec.heads * spec.headDim, `${pre}.attention.dense.bias`),
      up: whole(`${pre}.mlp.dense_h_to_4h.weight`, spec.intermediate, d, `${pre}.mlp.dense_h_to_4h.bias`),
      down: whole(`${pre}.mlp.dense_4h_to_h.weight`, d, spec.intermediate, `${pre}.mlp.dense_4h_to_h.bias`),
    });
  }
  return {
    embed: whole('gpt_neox.embed_in.weight', spec.vocabSize, d, null),
    positions: null,
    layers,
    finalNorm: { w: 'gpt_neox.final_layer_norm.weight', b: 'gpt_neox.final_layer_norm.bias', dim: d },
    lmHead: spec.tiedEmbeddings ? null : whole('embed_out.weight', spec.vocabSize, d, null),
  };
}
