import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll } from 'vitest';
import { createNodeGpu } from '../../src/gpu/node.ts';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { ModelConfigError, parseConfig, ropeInvFreq, layerWindow, layerRope } from '../../src/model/config.ts';
import { bytesSource, encodeSafetensors, readSafetensorsHeader, readTensor } from '../../src/model/safetensors.ts';
import type { ModelSource } from '../../src/model/sources/source.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { randomModelSource } from '../../src/model/sources/random-source.ts';
import { loadModel } from '../../src/model/load.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { greedyGenerate } from '../../src/model/generate.ts';
import { kvGreedyGenerate } from '../../src/model/kv-decode.ts';
import { testGpu } from '../helpers/gpu.ts';
import { relMaxError, relNormError } from '../helpers/compare.ts';
import { FIXTURES, golden } from '../helpers/fixtures.ts';
import { runEmbeddings, protoInputs } from '../helpers/run-embeddings.ts';

const DIR = `${FIXTURES}gemma3-tiny`;
const CONFIG = JSON.parse(readFileSync(`${DIR}/config.json`, 'utf8')) as Record<string, unknown>;

function refusal(cfg: unknown): string {
  try {
    parseConfig(cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelConfigError);
    expect((e as Error).message.split('\n')).toHaveLength(1);
    return (e as Error).message;
  }
  throw new Error('parseConfig accepted the config');
}

describe('Gemma 3 configs', () => {
  it('gemma3-tiny: the spec fields its computation needs', () => {
    const s = parseConfig(CONFIG);
    expect(s).toMatchObject({
      arch: 'gemma3', family: 'gemma3_text', hidden: 64, heads: 4, kvHeads: 1, headDim: 32, rotaryDim: 32, headNorm: true,
      slidingWindow: 8, ropeTheta: 1e6, localRopeTheta: 1e4, normWeightOffset: 1, sandwichNorms: true, activation: 'gelu_tanh',
      gatedMlp: true, attnScale: 1 / Math.sqrt(32), embedScale: 8, tiedEmbeddings: true, bosTokenId: 1, eosTokenId: 2,
    });
    expect(s.layerTypes).toEqual(['sliding', 'sliding', 'full', 'sliding', 'sliding', 'full']);
    expect([0, 1, 2].map((l) => [layerWindow(s, l), layerRope(s, l)])).toEqual([[8, 'local'], [8, 'local'], [0, 'global']]);
    expect(ropeInvFreq(s, 'local')[1]).toBeCloseTo(1e4 ** (-2 / 32), 15);
    expect(ropeInvFreq(s, 'global')[1]).toBeCloseTo(1e6 ** (-2 / 32), 15);
  });

  it('older configs: sliding_window_pattern instead of layer_types (every 6th layer global)', () => {
    const { layer_types: _, ...old } = CONFIG;
    expect(parseConfig({ ...old, num_hidden_layers: 7 }).layerTypes).toEqual(['sliding', 'sliding', 'sliding', 'sliding', 'sliding', 'full', 'sliding']);
    expect(parseConfig({ ...old, sliding_window_pattern: 2 }).layerTypes).toEqual(['sliding', 'full', 'sliding', 'full', 'sliding', 'full']);
  });

  it("transformers v5's rope_parameters per layer type mean the same; linear scaling applies to the full layers only", () => {
    const { rope_theta: _t, rope_local_base_freq: _l, ...bare } = CONFIG;
    const v5 = parseConfig({
      ...bare,
      rope_parameters: { full_attention: { rope_type: 'linear', factor: 8, rope_theta: 1e6 }, sliding_attention: { rope_type: 'default', rope_theta: 1e4 } },
    });
    const old = parseConfig({ ...CONFIG, rope_scaling: { rope_type: 'linear', factor: 8 } });
    expect(v5).toEqual(old);
    expect(old.ropeScaling).toEqual({ type: 'linear', factor: 8 });
    const plain = parseConfig(CONFIG);
    expect(ropeInvFreq(old, 'global')[3]).toBeCloseTo(ropeInvFreq(plain, 'global')[3] / 8, 15);
    expect(ropeInvFreq(old, 'local')).toEqual(ropeInvFreq(plain, 'local'));
    expect(refusal({ ...CONFIG, rope_parameters: { full_attention: { rope_theta: 5e5 } } })).toMatch(/rope_parameters.full_attention.rope_theta \(500000\) and rope_theta \(1000000\) disagree/);
  });

  it('a multimodal gemma3 config: its text_config, with the top-level token ids; errors name text_config.FIELD', () => {
    const { model_type: _, bos_token_id: _b, eos_token_id: _e, ...text } = CONFIG;
    const mm = { model_type: 'gemma3', architectures: ['Gemma3ForConditionalGeneration'], text_config: { ...text, model_type: 'gemma3_text' }, vision_config: {}, bos_token_id: 2, eos_token_id: [1, 106] };
    expect(parseConfig(mm)).toEqual({ ...parseConfig(CONFIG), bosTokenId: 2, eosTokenId: 1 });
    expect(refusal({ ...mm, text_config: { ...text, head_dim: -1 } })).toMatch(/^config.json: text_config.head_dim must be a positive integer/);
    expect(refusal({ model_type: 'gemma3' })).toMatch(/text_config is missing/);
  });

  it('refuses what the lab does not compute, naming the field', () => {
    expect(refusal({ ...CONFIG, final_logit_softcapping: 30 })).toMatch(/final_logit_softcapping is 30; logit soft-capping/);
    expect(refusal({ ...CONFIG, attn_logit_softcapping: 50 })).toMatch(/attn_logit_softcapping/);
    expect(refusal({ ...CONFIG, use_bidirectional_attention: true })).toMatch(/use_bidirectional_attention/);
    expect(refusal({ ...CONFIG, hidden_activation: 'relu' })).toMatch(/hidden_activation "relu" is not supported/);
    expect(refusal({ ...CONFIG, layer_types: ['full_attention'] })).toMatch(/layer_types must list one type per layer \(6\)/);
    expect(refusal({ ...CONFIG, layer_types: ['full_attention', 'chunked_attention', 'full_attention', 'full_attention', 'full_attention', 'full_attention'] })).toMatch(/layer_types\[1\] is "chunked_attention"/);
    expect(refusal({ ...CONFIG, model_type: 'gemma2' })).toMatch(/model_type "gemma2" is not supported; the lab runs .*Gemma 3 \('gemma3_text'/);
  });
});

/** gemma3-tiny's tensors renamed as a multimodal checkpoint stores them, with a vision tensor the lab must not need. */
async function multimodalCheckpoint(rename: (name: string) => string): Promise<ModelSource> {
  const raw = readFileSync(`${DIR}/model.safetensors`);
  const src = bytesSource(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), 'gemma3-tiny');
  const header = await readSafetensorsHeader(src);
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [{ name: 'vision_tower.vision_model.embeddings.patch_embedding.weight', shape: [4, 3], data: new Float32Array(12) }];
  for (const info of header.tensors.values()) tensors.push({ name: rename(info.name), shape: info.shape, data: await readTensor(src, info) });
  const bytes = encodeSafetensors(tensors);
  const { model_type: _, ...text } = CONFIG;
  const config = JSON.stringify({ model_type: 'gemma3', text_config: { ...text, model_type: 'gemma3_text' }, vision_config: {} });
  return {
    describe: 'gemma3 multimodal',
    has: async (file) => file === 'config.json' || file === 'model.safetensors',
    open: async () => bytesSource(bytes, 'gemma3 multimodal/model.safetensors'),
    text: async () => config,
  };
}

describe('Gemma 3 checkpoints on the engine', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  // Older transformers saved Gemma3ForConditionalGeneration's language model under
  // language_model.model.*, newer ones under model.language_model.*.
  it.each([
    ['language_model.model.*', (n: string) => `language_model.${n}`],
    ['model.language_model.*', (n: string) => n.replace(/^model\./u, 'model.language_model.')],
  ])('a multimodal gemma3 checkpoint (%s) loads its text part and gives the golden logits', async (_, rename) => {
    const model = await loadModel(gpu, await multimodalCheckpoint(rename));
    const g = golden('gemma3-tiny');
    const r = await evaluateTokens(model, g.forward.input_ids, { keepLogits: true });
    const V = model.spec.vocabSize;
    const row = g.forward.logits_rows[0];
    expect(relMaxError(r.logits!.subarray(row * V, (row + 1) * V), g.forward.logits[0])).toBeLessThanOrEqual(1e-4);
    expect(r.argmax).toEqual(g.forward.argmax);
    model.destroy();
  });

  it('the window matters: the fixture with its window removed misses the golden loss by far more than the tolerance', async () => {
    const source = nodeFolderSource(DIR);
    const wide: ModelSource = { ...source, text: async () => JSON.stringify({ ...CONFIG, sliding_window: 4096 }) };
    const model = await loadModel(gpu, wide);
    const pt = golden('gemma3-tiny').prototoken;
    const r = await runEmbeddings(model, protoInputs(pt.e, pt.m, pt.N), pt.target_ids, { grad: false });
    // 10x the golden tolerance (1e-4); measured: 8.5e-3.
    expect(Math.abs(r.lossSum - pt.loss_sum) / pt.loss_sum).toBeGreaterThan(1e-3);
    model.destroy();
  });
});

describe("Gemma 3's 262k-row vocabulary", () => {
  // The real models' vocabulary (262144 rows) on a tiny random body: the embedding and the tied
  // head are 64 MiB in f32, split into four matrices by a 16 MiB binding limit, and the logits
  // into vocabulary pieces. The split engine must agree with the unsplit one.
  const config = {
    ...CONFIG, vocab_size: 262_144, num_hidden_layers: 2, layer_types: ['sliding_attention', 'full_attention'], sliding_window: 4, intermediate_size: 64,
  };
  it('loss, gradient and KV-cached decoding agree with an unsplit run', async () => {
    const N = 10;
    const e = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const m = Float32Array.from({ length: 64 }, (_, i) => Math.cos(3 * i));
    const targets = Array.from({ length: N }, (_, i) => (i * 26_000 + 17) % 262_144);
    const results = [];
    for (const maxBindingBytes of [16 << 20, 128 << 20]) {
      const g = await createNodeGpu({ maxBindingBytes });
      const model = await loadModel(g, randomModelSource(config, { seed: 5, std: 0.5 }));
      expect(model.weights.lmHead.chunks.length).toBe(maxBindingBytes === 16 << 20 ? 4 : 1);
      const r = await runEmbeddings(model, protoInputs(e, m, N), targets, { grad: true });
      // 6 tokens after a 3-token prompt: past the window of 4 on the sliding layer.
      const tokens = await kvGreedyGenerate(model, [5, 70_000, 262_143], 6);
      const uncached = maxBindingBytes === 16 << 20 ? await greedyGenerate(model, [5, 70_000, 262_143], 6) : null;
      results.push({ r, tokens, uncached });
      model.destroy();
      g.destroy();
    }
    const [split, whole] = results;
    expect(Math.abs(split.r.lossSum - whole.r.lossSum) / whole.r.lossSum).toBeLessThan(1e-5);
    expect(relNormError(split.r.grad!, whole.r.grad!)).toBeLessThan(1e-5);
    expect(Array.from(split.r.argmax)).toEqual(Array.from(whole.r.argmax));
    expect(split.tokens).toEqual(whole.tokens);
    expect(split.tokens).toEqual(split.uncached);
  });
});
