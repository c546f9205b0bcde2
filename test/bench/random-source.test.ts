import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/model/config.ts';
import { loadModel } from '../../src/model/load.ts';
import { randomModelSource } from '../../src/model/sources/random-source.ts';
import { readSafetensorsHeader } from '../../src/model/safetensors.ts';
import { TransformerSession } from '../../src/model/transformer.ts';
import { Program } from '../../src/gpu/program.ts';
import { Rng } from '../../src/util/rng.ts';
import { LLAMA_32_1B_CONFIG, PYTHIA_160M_CONFIG } from '../../src/model/shapes.ts';
import { testGpu } from '../helpers/gpu.ts';

/** Tiny configs of both architectures, with the big models' features (partial rotary, GQA, llama3 scaling, tied). */
const TINY_NEOX = { ...PYTHIA_160M_CONFIG, vocab_size: 97, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4 };
const TINY_LLAMA = { ...LLAMA_32_1B_CONFIG, vocab_size: 101, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8 };

describe('randomModelSource (in-memory random-weight models for the benchmark)', () => {
  it('the big shapes parse to the specs the issue names', () => {
    const p = parseConfig(PYTHIA_160M_CONFIG);
    expect([p.hidden, p.layers, p.heads, p.intermediate, p.vocabSize, p.rotaryDim, p.headDim, p.parallelResidual, p.tiedEmbeddings]).toEqual([768, 12, 12, 3072, 50304, 16, 64, true, false]);
    const l = parseConfig(LLAMA_32_1B_CONFIG);
    expect([l.hidden, l.layers, l.heads, l.kvHeads, l.intermediate, l.vocabSize, l.tiedEmbeddings, l.ropeScaling?.type]).toEqual([2048, 16, 32, 8, 8192, 128256, true, 'llama3']);
    // Sizes as float32 without generating a byte: 162.3 M and 1.236 G parameters.
    expect(randomModelSource(PYTHIA_160M_CONFIG).weightBytes / 4).toBeCloseTo(162_322_944, -3);
    expect(randomModelSource(LLAMA_32_1B_CONFIG).weightBytes / 4).toBeCloseTo(1_235_814_400, -3);
  });

  it('any byte range reads the same as the same bytes of one whole read, and seeds differ', async () => {
    const src = randomModelSource(TINY_LLAMA, { seed: 3 });
    const file = await src.open('model.safetensors');
    const whole = await file.read(0, file.size);
    for (const [at, len] of [[0, 5], [7, 300], [1001, 13], [file.size - 9, 9], [4097, 4099]]) {
      expect(await file.read(at, len)).toEqual(whole.subarray(at, at + len));
    }
    const other = await (await randomModelSource(TINY_LLAMA, { seed: 4 }).open('model.safetensors')).read(0, file.size);
    expect(other).not.toEqual(whole);
    await expect(file.read(file.size - 1, 2)).rejects.toThrow(/outside/);
    await expect(src.open('tokenizer.json')).rejects.toThrow(/only config.json and model.safetensors/);
  });

  it('values: norm weights 1, the rest uniform with std 0.02', async () => {
    const src = randomModelSource(TINY_NEOX, { seed: 1 });
    const file = await src.open('model.safetensors');
    const h = await readSafetensorsHeader(file);
    const values = async (name: string) => {
      const t = h.tensors.get(name)!;
      const b = await file.read(t.begin, t.end - t.begin);
      return new Float32Array(b.slice().buffer);
    };
    expect([...(await values('gpt_neox.layers.0.input_layernorm.weight'))].every((v) => v === 1)).toBe(true);
    const w = await values('embed_out.weight');
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.02 * Math.sqrt(3));
  });

  it('loads through the engine loader with the spec of its config and runs a finite forward+backward', async () => {
    const gpu = await testGpu();
    for (const cfg of [TINY_NEOX, TINY_LLAMA]) {
      const model = await loadModel(gpu, randomModelSource(cfg, { seed: 0 }));
      expect(model.spec).toEqual(parseConfig(cfg));
      const N = 6;
      const session = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: true });
      const rng = new Rng(5);
      gpu.write(session.inputs, rng.normalArray(N * model.spec.hidden));
      gpu.write(session.targets, Uint32Array.from({ length: N }, () => rng.int(model.spec.vocabSize)));
      const p = new Program(gpu, 'random-model-test');
      session.recordForward(p);
      session.recordBackward(p);
      p.run();
      const grad = await gpu.read(session.dInputs!);
      expect(grad.every(Number.isFinite)).toBe(true);
      expect(grad.some((g) => g !== 0)).toBe(true);
      p.destroy();
      session.destroy();
      model.destroy();
    }
  });

  it('a bad config fails with the config parser message', () => {
    expect(() => randomModelSource({ ...TINY_LLAMA, model_type: 'bert' })).toThrow(/model_type/);
  });
});
