/**
 * float64 reference of transformers' GPTNeoXForCausalLM (Pythia), read from the checkpoint by Hugging
 * Face names. Per layer (GPTNeoXLayer), with a = dense(attn(input_layernorm(x))):
 *   parallel:   x' = x + a + mlp(post_attention_layernorm(x))
 *   sequential: h = x + a, x' = h + mlp(post_attention_layernorm(h))
 * mlp = dense_4h_to_h(gelu(dense_h_to_4h(.))) with exact erf GELU and biases; LayerNorms with bias.
 * The fused query_key_value output is [L, H, 3·hd] (GPTNeoXAttention views it per head and chunks
 * each head into q_h | k_h | v_h), and rotary covers the first rotaryDim columns of each head only.
 * Then final_layer_norm and embed_out.
 */
import { ropeInvFreq, type ModelSpec } from '../model/config.ts';
import { layernormRef } from './norm.ts';
import { geluRef } from './activations.ts';
import { add, add3, causalAttention, linear, rotary, type ReferenceStack } from './model-ops.ts';
import type { ReferenceWeights } from './model-weights.ts';

type Maybe = Float64Array | null;

interface NeoxLayer {
  ln1w: Float64Array;
  ln1b: Float64Array;
  ln2w: Float64Array;
  ln2b: Float64Array;
  qkv: Float64Array;
  qkvB: Maybe;
  dense: Float64Array;
  denseB: Maybe;
  up: Float64Array;
  upB: Float64Array;
  down: Float64Array;
  downB: Float64Array;
}

async function readLayer(w: ReferenceWeights, spec: ModelSpec, l: number): Promise<NeoxLayer> {
  const p = `gpt_neox.layers.${l}.`;
  return {
    ln1w: await w.get(`${p}input_layernorm.weight`),
    ln1b: await w.get(`${p}input_layernorm.bias`),
    ln2w: await w.get(`${p}post_attention_layernorm.weight`),
    ln2b: await w.get(`${p}post_attention_layernorm.bias`),
    // GPTNeoXAttention: query_key_value and dense both take bias=config.attention_bias.
    qkv: await w.get(`${p}attention.query_key_value.weight`),
    qkvB: await w.maybe(`${p}attention.query_key_value.bias`, spec.attentionBias),
    dense: await w.get(`${p}attention.dense.weight`),
    denseB: await w.maybe(`${p}attention.dense.bias`, spec.outputBias),
    up: await w.get(`${p}mlp.dense_h_to_4h.weight`),
    upB: await w.get(`${p}mlp.dense_h_to_4h.bias`),
    down: await w.get(`${p}mlp.dense_4h_to_h.weight`),
    downB: await w.get(`${p}mlp.dense_4h_to_h.bias`),
  };
}

/** q, k, v [L, H·hd] each from the fused [L, H, 3·hd] projection. */
function splitPerHead(qkv: Float64Array, L: number, H: number, hd: number): Float64Array[] {
  const out = [0, 1, 2].map(() => new Float64Array(L * H * hd));
  for (let r = 0; r < L; r++) {
    for (let h = 0; h < H; h++) {
      const src = r * 3 * H * hd + h * 3 * hd;
      out.forEach((t, c) => t.set(qkv.subarray(src + c * hd, src + (c + 1) * hd), r * H * hd + h * hd));
    }
  }
  return out;
}

export async function neoxStack(w: ReferenceWeights, spec: ModelSpec): Promise<ReferenceStack> {
  const layers: NeoxLayer[] = [];
  for (let l = 0; l < spec.layers; l++) layers.push(await readLayer(w, spec, l));
  const lnfw = await w.get('gpt_neox.final_layer_norm.weight');
  const lnfb = await w.get('gpt_neox.final_layer_norm.bias');
  const embedTokens = await w.get('gpt_neox.embed_in.weight');
  const head = spec.tiedEmbeddings ? embedTokens : await w.get('embed_out.weight');
  const { hidden: d, heads: H, headDim: hd, intermediate: I, normEps: eps } = spec;
  const invFreq = ropeInvFreq(spec); // rotaryDim / 2 frequencies: the partial rotary
  const scale = 1 / Math.sqrt(hd); // GPTNeoXAttention.scaling = head_size ** -0.5

  const mlp = (ly: NeoxLayer, x: Float64Array, L: number) =>
    linear(geluRef(linear(layernormRef(x, ly.ln2w, ly.ln2b, L, d, eps).y, ly.up, L, d, I, ly.upB)), ly.down, L, I, d, ly.downB);

  function hidden(inputs: Float64Array, L: number): Float64Array {
    let x = inputs;
    for (const ly of layers) {
      const h = layernormRef(x, ly.ln1w, ly.ln1b, L, d, eps).y;
      const [q, k, v] = splitPerHead(linear(h, ly.qkv, L, d, 3 * H * hd, ly.qkvB), L, H, hd);
      const att = causalAttention(rotary(q, L, H, hd, invFreq), rotary(k, L, H, hd, invFreq), v, { L, H, Hkv: H, hd, scale, window: 0 });
      const a = linear(att, ly.dense, L, d, d, ly.denseB);
      if (spec.parallelResidual) {
        x = add3(x, a, mlp(ly, x, L));
      } else {
        const hx = add(x, a);
        x = add(hx, mlp(ly, hx, L));
      }
    }
    return layernormRef(x, lnfw, lnfb, L, d, eps).y;
  }
  return { embedTokens, hidden, head };
}
