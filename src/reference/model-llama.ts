/**
 * float64 reference of transformers' LlamaForCausalLM and its relatives that share its computation
 * (MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM), read from the checkpoint by Hugging
 * Face names. Per layer (LlamaDecoderLayer):
 *   h  = x + o(attn(rope(qk_norm(q(n1(x)), k(n1(x)))), v(n1(x))))
 *   x' = h + down(silu(gate(n2(h))) · up(n2(h)))
 * then model.norm and the head. n1, n2 and the final norm are RMSNorm scaling by w; q_norm / k_norm
 * (Qwen3 only) are RMSNorm over each head's head_dim. Biases: q/k/v where spec.attentionBias (Qwen2
 * always), o where spec.outputBias, gate/up/down where spec.mlpBias. Mistral's sliding window comes
 * per layer from layerWindow.
 */
import { layerWindow, ropeInvFreq, type ModelSpec } from '../model/config.ts';
import { rmsnormRef } from './norm.ts';
import { swigluRef } from './activations.ts';
import { add, causalAttention, gateUp, linear, rotary, type ReferenceStack } from './model-ops.ts';
import type { ReferenceWeights } from './model-weights.ts';

type Maybe = Float64Array | null;

interface LlamaLayer {
  n1: Float64Array;
  n2: Float64Array;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  o: Float64Array;
  qb: Maybe;
  kb: Maybe;
  vb: Maybe;
  ob: Maybe;
  qNorm: Maybe;
  kNorm: Maybe;
  gate: Float64Array;
  up: Float64Array;
  down: Float64Array;
  gateB: Maybe;
  upB: Maybe;
  downB: Maybe;
}

async function readLayer(w: ReferenceWeights, spec: ModelSpec, l: number): Promise<LlamaLayer> {
  const p = `model.layers.${l}.`;
  const a = `${p}self_attn.`;
  const m = `${p}mlp.`;
  return {
    n1: await w.get(`${p}input_layernorm.weight`),
    n2: await w.get(`${p}post_attention_layernorm.weight`),
    q: await w.get(`${a}q_proj.weight`),
    k: await w.get(`${a}k_proj.weight`),
    v: await w.get(`${a}v_proj.weight`),
    o: await w.get(`${a}o_proj.weight`),
    qb: await w.maybe(`${a}q_proj.bias`, spec.attentionBias),
    kb: await w.maybe(`${a}k_proj.bias`, spec.attentionBias),
    vb: await w.maybe(`${a}v_proj.bias`, spec.attentionBias),
    ob: await w.maybe(`${a}o_proj.bias`, spec.outputBias),
    qNorm: await w.maybe(`${a}q_norm.weight`, spec.headNorm),
    kNorm: await w.maybe(`${a}k_norm.weight`, spec.headNorm),
    gate: await w.get(`${m}gate_proj.weight`),
    up: await w.get(`${m}up_proj.weight`),
    down: await w.get(`${m}down_proj.weight`),
    gateB: await w.maybe(`${m}gate_proj.bias`, spec.mlpBias),
    upB: await w.maybe(`${m}up_proj.bias`, spec.mlpBias),
    downB: await w.maybe(`${m}down_proj.bias`, spec.mlpBias),
  };
}

export async function llamaStack(w: ReferenceWeights, spec: ModelSpec): Promise<ReferenceStack> {
  const layers: LlamaLayer[] = [];
  for (let l = 0; l < spec.layers; l++) layers.push(await readLayer(w, spec, l));
  const finalNorm = await w.get('model.norm.weight');
  const embedTokens = await w.get('model.embed_tokens.weight');
  const head = spec.tiedEmbeddings ? embedTokens : await w.get('lm_head.weight');
  const { hidden: d, heads: H, kvHeads: Hkv, headDim: hd, intermediate: I, normEps: eps } = spec;
  const invFreq = ropeInvFreq(spec);
  // LlamaAttention.scaling = head_dim ** -0.5 (fixed in the code, not a config field).
  const scale = 1 / Math.sqrt(hd);

  function hidden(inputs: Float64Array, L: number): Float64Array {
    let x = inputs;
    layers.forEach((ly, l) => {
      const h1 = rmsnormRef(x, ly.n1, L, d, eps).y;
      let q = linear(h1, ly.q, L, d, H * hd, ly.qb);
      let k = linear(h1, ly.k, L, d, Hkv * hd, ly.kb);
      const v = linear(h1, ly.v, L, d, Hkv * hd, ly.vb);
      // Qwen3: q [L, H, hd] and k [L, Hkv, hd] normalised over hd, one row per head, before rotary.
      if (ly.qNorm && ly.kNorm) {
        q = rmsnormRef(q, ly.qNorm, L * H, hd, eps).y;
        k = rmsnormRef(k, ly.kNorm, L * Hkv, hd, eps).y;
      }
      q = rotary(q, L, H, hd, invFreq);
      k = rotary(k, L, Hkv, hd, invFreq);
      const att = causalAttention(q, k, v, { L, H, Hkv, hd, scale, window: layerWindow(spec, l) });
      x = add(x, linear(att, ly.o, L, H * hd, d, ly.ob));
      const h2 = rmsnormRef(x, ly.n2, L, d, eps).y;
      const gu = gateUp(linear(h2, ly.gate, L, d, I, ly.gateB), linear(h2, ly.up, L, d, I, ly.upB), L, I);
      x = add(x, linear(swigluRef(gu, L, I), ly.down, L, I, d, ly.downB));
    });
    return rmsnormRef(x, finalNorm, L, d, eps).y;
  }
  return { embedTokens, hidden, head };
}
