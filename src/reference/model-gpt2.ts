/**
 * float64 reference of transformers' GPT2LMHeadModel, read from the checkpoint by Hugging Face names
 * (with or without the `transformer.` prefix: real checkpoints come both ways). GPT2Model adds the
 * learned positions to whatever inputs it is given, inputs_embeds included: x0 = inputs + wpe[0..L).
 * Per layer (GPT2Block):
 *   h  = x + c_proj(attn(c_attn(ln_1(x))))          c_attn's output is q | k | v, each [L, d]
 *   x' = h + mlp.c_proj(act(c_fc(ln_2(h))))          act: gelu_new (tanh) or exact gelu
 * then ln_f and the head, tied to wte unless tie_word_embeddings is false. Conv1D weights are stored
 * [in, out]. The old causal-mask buffers (h.N.attn.bias) are never read.
 */
import type { ModelSpec } from '../model/config.ts';
import { layernormRef } from './norm.ts';
import { geluRef, geluTanhRef } from './activations.ts';
import { add, causalAttention, columns, conv1d, type ReferenceStack } from './model-ops.ts';
import type { ReferenceWeights } from './model-weights.ts';

interface Gpt2Layer {
  ln1w: Float64Array;
  ln1b: Float64Array;
  ln2w: Float64Array;
  ln2b: Float64Array;
  cAttn: Float64Array;
  cAttnB: Float64Array;
  attnProj: Float64Array;
  attnProjB: Float64Array;
  fc: Float64Array;
  fcB: Float64Array;
  mlpProj: Float64Array;
  mlpProjB: Float64Array;
}

async function readLayer(w: ReferenceWeights, pre: string, l: number): Promise<Gpt2Layer> {
  const p = `${pre}h.${l}.`;
  return {
    ln1w: await w.get(`${p}ln_1.weight`),
    ln1b: await w.get(`${p}ln_1.bias`),
    ln2w: await w.get(`${p}ln_2.weight`),
    ln2b: await w.get(`${p}ln_2.bias`),
    cAttn: await w.get(`${p}attn.c_attn.weight`),
    cAttnB: await w.get(`${p}attn.c_attn.bias`),
    attnProj: await w.get(`${p}attn.c_proj.weight`),
    attnProjB: await w.get(`${p}attn.c_proj.bias`),
    fc: await w.get(`${p}mlp.c_fc.weight`),
    fcB: await w.get(`${p}mlp.c_fc.bias`),
    mlpProj: await w.get(`${p}mlp.c_proj.weight`),
    mlpProjB: await w.get(`${p}mlp.c_proj.bias`),
  };
}

export async function gpt2Stack(w: ReferenceWeights, spec: ModelSpec): Promise<ReferenceStack> {
  const pre = w.has('transformer.wte.weight') ? 'transformer.' : '';
  const layers: Gpt2Layer[] = [];
  for (let l = 0; l < spec.layers; l++) layers.push(await readLayer(w, pre, l));
  const embedTokens = await w.get(`${pre}wte.weight`);
  const wpe = await w.get(`${pre}wpe.weight`);
  const lnfw = await w.get(`${pre}ln_f.weight`);
  const lnfb = await w.get(`${pre}ln_f.bias`);
  const head = spec.tiedEmbeddings ? embedTokens : await w.get('lm_head.weight');
  const { hidden: d, heads: H, headDim: hd, intermediate: I, normEps: eps, maxPositions } = spec;
  const act = spec.activation === 'gelu' ? geluRef : geluTanhRef;
  const scale = 1 / Math.sqrt(hd); // scale_attn_weights: scores / value.size(-1) ** 0.5

  function hidden(inputs: Float64Array, L: number): Float64Array {
    if (L > maxPositions) throw new Error(`GPT-2 has ${maxPositions} learned positions; ${L} inputs do not fit`);
    let x = add(inputs, wpe.subarray(0, L * d));
    for (const ly of layers) {
      const qkv = conv1d(layernormRef(x, ly.ln1w, ly.ln1b, L, d, eps).y, ly.cAttn, L, d, 3 * d, ly.cAttnB);
      const [q, k, v] = [0, 1, 2].map((c) => columns(qkv, L, 3 * d, c * d, d));
      const att = causalAttention(q, k, v, { L, H, Hkv: H, hd, scale, window: 0 });
      x = add(x, conv1d(att, ly.attnProj, L, d, d, ly.attnProjB));
      const f = act(conv1d(layernormRef(x, ly.ln2w, ly.ln2b, L, d, eps).y, ly.fc, L, d, I, ly.fcB));
      x = add(x, conv1d(f, ly.mlpProj, L, I, d, ly.mlpProjB));
    }
    return layernormRef(x, lnfw, lnfb, L, d, eps).y;
  }
  return { embedTokens, hidden, head };
}
