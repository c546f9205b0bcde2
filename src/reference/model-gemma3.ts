/**
 * float64 reference of transformers' Gemma3ForCausalLM (model_type gemma3_text), read from the
 * checkpoint by Hugging Face names. Per layer (Gemma3DecoderLayer):
 *   h  = x + post_attention_norm(o(attn(rope(q_norm(q(n(x))), k_norm(k(n(x)))), v(n(x)))))
 *   x' = h + post_feedforward_norm(down(gelu_tanh(gate(f)) · up(f))),  f = pre_feedforward_norm(h)
 * then model.norm and the head (the raw embedding matrix when tied). Every RMSNorm here is
 * Gemma3RMSNorm, which scales by (1 + w): that is written below, not taken from the spec. Scores are
 * scaled by query_pre_attn_scalar^-1/2 (spec.attnScale); a 'sliding' layer attends within
 * spec.slidingWindow and rotates with the local base (rope_local_base_freq), a 'full' one sees
 * everything and uses rope_theta with its scaling (layerWindow, layerRope). The sqrt(hidden) scale of
 * the token embedding belongs to the embedding (model.ts embed()), never to inputs_embeds.
 */
import { layerRope, layerWindow, ropeInvFreq, type ModelSpec } from '../model/config.ts';
import { rmsnormRef } from './norm.ts';
import { geluTanhRef } from './activations.ts';
import { add, causalAttention, linear, rotary, type ReferenceStack } from './model-ops.ts';
import type { ReferenceWeights } from './model-weights.ts';

type Maybe = Float64Array | null;

interface GemmaLayer {
  inputNorm: Float64Array;
  postAttnNorm: Float64Array;
  preFfnNorm: Float64Array;
  postFfnNorm: Float64Array;
  qNorm: Float64Array;
  kNorm: Float64Array;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  o: Float64Array;
  qb: Maybe;
  kb: Maybe;
  vb: Maybe;
  ob: Maybe;
  gate: Float64Array;
  up: Float64Array;
  down: Float64Array;
}

/** Gemma3RMSNorm's weight as it multiplies: 1 + w. */
async function gemmaNorm(w: ReferenceWeights, name: string): Promise<Float64Array> {
  return (await w.get(name)).map((x) => 1 + x);
}

async function readLayer(w: ReferenceWeights, spec: ModelSpec, l: number): Promise<GemmaLayer> {
  const p = `model.layers.${l}.`;
  const a = `${p}self_attn.`;
  const m = `${p}mlp.`;
  // Gemma3Attention builds q/k/v/o with bias=config.attention_bias.
  const bias = spec.attentionBias;
  return {
    inputNorm: await gemmaNorm(w, `${p}input_layernorm.weight`),
    postAttnNorm: await gemmaNorm(w, `${p}post_attention_layernorm.weight`),
    preFfnNorm: await gemmaNorm(w, `${p}pre_feedforward_layernorm.weight`),
    postFfnNorm: await gemmaNorm(w, `${p}post_feedforward_layernorm.weight`),
    qNorm: await gemmaNorm(w, `${a}q_norm.weight`),
    kNorm: await gemmaNorm(w, `${a}k_norm.weight`),
    q: await w.get(`${a}q_proj.weight`),
    k: await w.get(`${a}k_proj.weight`),
    v: await w.get(`${a}v_proj.weight`),
    o: await w.get(`${a}o_proj.weight`),
    qb: await w.maybe(`${a}q_proj.bias`, bias),
    kb: await w.maybe(`${a}k_proj.bias`, bias),
    vb: await w.maybe(`${a}v_proj.bias`, bias),
    ob: await w.maybe(`${a}o_proj.bias`, bias),
    gate: await w.get(`${m}gate_proj.weight`),
    up: await w.get(`${m}up_proj.weight`),
    down: await w.get(`${m}down_proj.weight`),
  };
}

export async function gemma3Stack(w: ReferenceWeights, spec: ModelSpec): Promise<ReferenceStack> {
  const layers: GemmaLayer[] = [];
  for (let l = 0; l < spec.layers; l++) layers.push(await readLayer(w, spec, l));
  const finalNorm = await gemmaNorm(w, 'model.norm.weight');
  const embedTokens = await w.get('model.embed_tokens.weight');
  const head = spec.tiedEmbeddings ? embedTokens : await w.get('lm_head.weight');
  const { hidden: d, heads: H, kvHeads: Hkv, headDim: hd, intermediate: I, normEps: eps } = spec;
  const invFreq = { global: ropeInvFreq(spec, 'global'), local: ropeInvFreq(spec, 'local') };

  function hidden(inputs: Float64Array, L: number): Float64Array {
    let x = inputs;
    layers.forEach((ly, l) => {
      const n = rmsnormRef(x, ly.inputNorm, L, d, eps).y;
      const freq = invFreq[layerRope(spec, l)];
      const q = rotary(rmsnormRef(linear(n, ly.q, L, d, H * hd, ly.qb), ly.qNorm, L * H, hd, eps).y, L, H, hd, freq);
      const k = rotary(rmsnormRef(linear(n, ly.k, L, d, Hkv * hd, ly.kb), ly.kNorm, L * Hkv, hd, eps).y, L, Hkv, hd, freq);
      const v = linear(n, ly.v, L, d, Hkv * hd, ly.vb);
      const att = causalAttention(q, k, v, { L, H, Hkv, hd, scale: spec.attnScale, window: layerWindow(spec, l) });
      x = add(x, rmsnormRef(linear(att, ly.o, L, H * hd, d, ly.ob), ly.postAttnNorm, L, d, eps).y);
      const f = rmsnormRef(x, ly.preFfnNorm, L, d, eps).y;
      const up = linear(f, ly.up, L, d, I);
      const act = geluTanhRef(linear(f, ly.gate, L, d, I)).map((g, i) => g * up[i]);
      x = add(x, rmsnormRef(linear(act, ly.down, L, I, d), ly.postFfnNorm, L, d, eps).y);
    });
    return rmsnormRef(x, finalNorm, L, d, eps).y;
  }
  return { embedTokens, hidden, head };
}
