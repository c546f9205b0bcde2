import type { ModelSpec } from './config.ts';
import { type ModelPlan, type LayerPlan, type NormPlan, whole, stacked, spec2qkvRows } from './weight-plan.ts';

/**
 * Hugging Face Gemma3ForCausalLM tensor names (q/k/v and gate/up fused as for Llama). Gemma's
 * RMSNorms scale by (1 + w): the loader adds the 1 (offset), so the engine's RMSNorm kernels run
 * unchanged. Its four layer norms map onto the engine's as:
 *   input_layernorm → norm1, pre_feedforward_layernorm → norm2 (the MLP's input norm),
 *   post_attention_layernorm → postAttnNorm, post_feedforward_layernorm → postMlpNorm
 * (Llama's post_attention_layernorm is its MLP input norm; Gemma's normalises the attention output.)
 * A multimodal 'gemma3' checkpoint keeps the same tensors under language_model.model. (older
 * saves) or model.language_model. (newer ones); its vision tower is not read.
 */
export function gemma3Plan(spec: ModelSpec): ModelPlan {
  const d = spec.hidden;
  const { q, kv } = spec2qkvRows(spec);
  const norm = (w: string, dim = d): NormPlan => ({ w, b: null, dim, offset: 1 });
  const layers: LayerPlan[] = [];
  for (let i = 0; i < spec.layers; i++) {
    const pre = `model.layers.${i}`;
    const ab = (n: string) => (spec.attentionBias ? `${pre}.self_attn.${n}_proj.bias` : null);
    layers.push({
      norm1: norm(`${pre}.input_layernorm.weight`),
      norm2: norm(`${pre}.pre_feedforward_layernorm.weight`),
      postAttnNorm: norm(`${pre}.post_attention_layernorm.weight`),
      postMlpNorm: norm(`${pre}.post_feedforward_layernorm.weight`),
      qNorm: norm(`${pre}.self_attn.q_norm.weight`, spec.headDim),
      kNorm: norm(`${pre}.self_attn.k_norm.weight`, spec.headDim),
      qkv: stacked(
        [
          { name: `${pre}.self_attn.q_proj.weight`, rows: q, bias: ab('q') },
          { name: `${pre}.self_attn.k_proj.weight`, rows: kv, bias: ab('k') },
          { name: `${pre}.self_attn.v_proj.weight`, rows: kv, bias: ab('v') },
        ],
        d,
      ),
      o: whole(`${pre}.self_attn.o_proj.weight`, d, q, ab('o')),
      up: stacked(
        [
          { name: `${pre}.mlp.gate_proj.weight`, rows: spec.intermediate, bias: null },
          { name: `${pre}.mlp.up_proj.weight`, rows: spec.intermediate, bias: null },
        ],
        d,
      ),
      down: whole(`${pre}.mlp.down_proj.weight`, d, spec.intermediate, null),
    });
  }
  return {
    embed: whole('model.embed_tokens.weight', spec.vocabSize, d, null),
    positions: null,
    layers,
    finalNorm: norm('model.norm.weight'),
    lmHead: spec.tiedEmbeddings ? null : whole('lm_head.weight', spec.vocabSize, d, null),
    aliases: (name) => [`language_model.${name}`, name.replace(/^model\./u, 'model.language_model.')],
  };
}
