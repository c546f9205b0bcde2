import { parseConfig, ropeInvFreq, type ModelSpec } from '../../src/model/config.ts';
import { readSafetensorsHeader, readTensor } from '../../src/model/safetensors.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { matmulRef } from '../../src/reference/matmul.ts';
import { rmsnormRef, rmsnormViewRef } from '../../src/reference/norm.ts';
import { ropeForwardRef } from '../../src/reference/rope.ts';
import { attentionForwardRef } from '../../src/reference/attention.ts';
import { swigluRef } from '../../src/reference/activations.ts';
import { crossEntropyRef, NONE } from '../../src/reference/cross-entropy.ts';

/**
 * A float64 CPU forward pass of a Llama checkpoint composed from the src/reference ops, for tests
 * that need an independent evaluation of input embeddings (the geometry scans and the Bezier
 * gradient). Only for tiny models: every matmul is a naive triple loop.
 */
export interface CpuLlama {
  spec: ModelSpec;
  /** Summed loss, per-position loss and argmax of one sequence of input embeddings [L, d] against targets [L] (NONE: unscored). */
  forward(inputs: ArrayLike<number>, targets: ArrayLike<number>): { lossSum: number; argmax: Uint32Array };
}

export async function loadCpuLlama(dir: string): Promise<CpuLlama> {
  const src = nodeFolderSource(dir);
  const spec = parseConfig(JSON.parse(await src.text('config.json')));
  if (spec.arch !== 'llama') throw new Error(`cpu-llama handles Llama checkpoints only, ${dir} is ${spec.arch}`);
  const file = await src.open('model.safetensors');
  const header = await readSafetensorsHeader(file);
  const get = async (name: string) => {
    const info = header.tensors.get(name);
    if (!info) throw new Error(`${name} missing in ${dir}`);
    return Float64Array.from(await readTensor(file, info));
  };
  const layers: (Record<'n1' | 'n2' | 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down', Float64Array> & { qn?: Float64Array; kn?: Float64Array })[] = [];
  for (let l = 0; l < spec.layers; l++) {
    const p = `model.layers.${l}.`;
    layers.push({
      n1: await get(`${p}input_layernorm.weight`),
      n2: await get(`${p}post_attention_layernorm.weight`),
      q: await get(`${p}self_attn.q_proj.weight`),
      k: await get(`${p}self_attn.k_proj.weight`),
      v: await get(`${p}self_attn.v_proj.weight`),
      o: await get(`${p}self_attn.o_proj.weight`),
      gate: await get(`${p}mlp.gate_proj.weight`),
      up: await get(`${p}mlp.up_proj.weight`),
      down: await get(`${p}mlp.down_proj.weight`),
      ...(spec.headNorm ? { qn: await get(`${p}self_attn.q_norm.weight`), kn: await get(`${p}self_attn.k_norm.weight`) } : {}),
    });
  }
  const finalNorm = await get('model.norm.weight');
  const head = spec.tiedEmbeddings ? await get('model.embed_tokens.weight') : await get('lm_head.weight');
  const { hidden: d, heads: H, kvHeads: Hkv, headDim: hd, intermediate: I, vocabSize: V } = spec;
  const inv = ropeInvFreq(spec);

  function forward(inputs: ArrayLike<number>, targets: ArrayLike<number>) {
    const L = targets.length;
    const table = new Float64Array(L * hd);
    for (let pos = 0; pos < L; pos++) {
      for (let j = 0; j < hd / 2; j++) {
        table[pos * hd + j] = Math.cos(pos * inv[j]);
        table[pos * hd + hd / 2 + j] = Math.sin(pos * inv[j]);
      }
    }
    let x: Float64Array = Float64Array.from(inputs);
    const W = (H + 2 * Hkv) * hd;
    for (const w of layers) {
      const h1 = rmsnormRef(x, w.n1, L, d, spec.normEps).y;
      const q = matmulRef(h1, w.q, L, H * hd, d, true);
      const k = matmulRef(h1, w.k, L, Hkv * hd, d, true);
      const v = matmulRef(h1, w.v, L, Hkv * hd, d, true);
      let qkv: Float64Array = new Float64Array(L * W);
      for (let r = 0; r < L; r++) {
        qkv.set(q.subarray(r * H * hd, (r + 1) * H * hd), r * W);
        qkv.set(k.subarray(r * Hkv * hd, (r + 1) * Hkv * hd), r * W + H * hd);
        qkv.set(v.subarray(r * Hkv * hd, (r + 1) * Hkv * hd), r * W + (H + Hkv) * hd);
      }
      // Qwen3: RMSNorm of every q head and every k head before rotary.
      if (w.qn && w.kn) {
        qkv = rmsnormViewRef(qkv, w.qn, L * H, hd, spec.normEps, { ld: W, colOffset: 0, heads: H }).y;
        qkv = rmsnormViewRef(qkv, w.kn, L * Hkv, hd, spec.normEps, { ld: W, colOffset: H * hd, heads: Hkv }).y;
      }
      const rope = { rows: L, seqLen: L, posOffset: 0, ld: W, headDim: hd, rotDim: hd };
      qkv = ropeForwardRef(qkv, table, { ...rope, colOffset: 0, nHeads: H });
      qkv = ropeForwardRef(qkv, table, { ...rope, colOffset: H * hd, nHeads: Hkv });
      const att = attentionForwardRef(qkv, { B: 1, N: L, H, Hkv, hd, ldq: W, qOff: 0, kOff: H * hd, vOff: (H + Hkv) * hd, scale: 1 / Math.sqrt(hd), window: spec.slidingWindow }).out;
      const o = matmulRef(att, w.o, L, d, H * hd, true);
      for (let i = 0; i < x.length; i++) x[i] += o[i];
      const h2 = rmsnormRef(x, w.n2, L, d, spec.normEps).y;
      const g = matmulRef(h2, w.gate, L, I, d, true);
      const u = matmulRef(h2, w.up, L, I, d, true);
      const gu = new Float64Array(L * 2 * I);
      for (let r = 0; r < L; r++) {
        gu.set(g.subarray(r * I, (r + 1) * I), r * 2 * I);
        gu.set(u.subarray(r * I, (r + 1) * I), r * 2 * I + I);
      }
      const down = matmulRef(swigluRef(gu, L, I), w.down, L, d, I, true);
      x = x.map((xi, i) => xi + down[i]);
    }
    const xf = rmsnormRef(x, finalNorm, L, d, spec.normEps).y;
    const logits = matmulRef(xf, head, L, V, d, true);
    const ce = crossEntropyRef(logits, targets, L, V);
    let lossSum = 0;
    for (let i = 0; i < L; i++) if (targets[i] !== NONE) lossSum += ce.loss[i];
    return { lossSum, argmax: ce.argmax };
  }
  return { spec, forward };
}
