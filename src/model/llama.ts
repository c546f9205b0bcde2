import type { ModelSpec } from './config.ts';
import { type ModelPlan, type LayerPlan, whole, stacked, spec2qkvRows } from './weight-plan.ts';

/**
 * Hugging Face LlamaForCausalLM tensor names (Qwen2ForCausalLM's and Qwen3ForCausalLM's are the same,
 * Qwen3 adding the head norms self_attn.q_norm / k_norm), q/k/v and gate/up fused.
 */
export function llamaPlan(spec: ModelSpec): ModelPlan {
  const d = spec.hidden;
  const { q, kv } = spec2qkvRows(spec);
  const layers: LayerPlan[] = [];
  for (let i = 0; i < spec.layers; i++) {
    const pre = `model.layers.${i}`;
    const ab = (n: string) => (spec.attentionBias ? `${pre}.self_attn.${n}_proj.bias` : null);
    const mb = (n: string) => (spec.mlpBias ? `${pre}.mlp.${n}_proj.bias` : null);
    layers.push({
      norm1: { w: `${pre}.input_layernorm.weight`, b: null, dim: d },
      norm2: { w: `${pre}.post_attention_layernorm.weight`, b: null, dim: d },
      qNorm: spec.headNorm ? { w: `${pre}.self_attn.q_norm.weight`, b: null, dim: spec.headDim } : null,
      kNorm: spec.headNorm ? { w: `${pre}.self_attn.k_norm.weight`, b: null, dim: spec.headDim } : null,
      qkv: stacked(
        [
          { name: `${pre}.self_attn.q_proj.weight`, rows: q, bias: ab('q') },
          { name: `${pre}.self_attn.k_proj.weight`, rows: kv, bias: ab('k') },
          { name: `${pre}.self_attn.v_proj.weight`, rows: kv, bias: ab('v') },
        ],
        d,
      ),
      o: whole(`${pre}.self_attn.o_proj.weight`, d, q, spec.outputBias ? `${pre}.self_attn.o_proj.bias` : null),
      up: stacked(
        [
          { name: `${pre}.mlp.gate_proj.weight`, rows: spec.intermediate, bias: mb('gate') },
          { name: `${pre}.mlp.up_proj.weight`, rows: spec.intermediate, bias: mb('up') },
        ],
        d,
      ),
      down: whole(`${pre}.mlp.down_proj.weight`, d, spec.intermediate, mb('down')),
    });
  }
  return {
    embed: whole('model.embed_tokens.weight', spec.vocabSize, d, null),
    positions: null,
    layers,
    finalNorm: { w: 'model.norm.weight', b: null, dim: d },
    lmHead: spec.tiedEmbeddings ? null : whole('lm_head.weight', spec.vocabSize, d, null),
  };
}
