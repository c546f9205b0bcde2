/**
 * The mistral family: Llama's computation with a sliding window on every layer. No golden fixture
 * exists for it, so a seeded random Mistral model (written to a folder like a checkpoint) is run by
 * the engine and by the float64 reference forward pass (src/reference/model.ts, which applies the
 * same window through src/reference/attention.ts), on a text three times longer than its window.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { parseConfig } from '../../src/model/config.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { randomModelSource, RANDOM_WEIGHTS_FILE } from '../../src/model/sources/random-source.ts';
import { greedyGenerate } from '../../src/model/generate.ts';
import { kvGreedyGenerate } from '../../src/model/kv-decode.ts';
import { Rng } from '../../src/util/rng.ts';
import { loadReferenceModel, type ReferenceModel } from '../../src/reference/model.ts';
import { testGpu } from '../helpers/gpu.ts';
import { runEmbeddings } from '../helpers/run-embeddings.ts';

const WINDOW = 6;
const CONFIG = {
  model_type: 'mistral',
  architectures: ['MistralForCausalLM'],
  vocab_size: 97,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 8,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  sliding_window: WINDOW,
  hidden_act: 'silu',
  tie_word_embeddings: false,
};

/** The random model as a checkpoint folder (config.json + model.safetensors), with another window if asked. */
async function folder(window: number | null): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-mistral-'));
  const src = randomModelSource(CONFIG, { seed: 3, std: 0.2 });
  const file = await src.open(RANDOM_WEIGHTS_FILE);
  writeFileSync(join(dir, 'model.safetensors'), await file.read(0, file.size));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...CONFIG, sliding_window: window }));
  return dir;
}

describe('mistral: a sliding window shorter than the text is honoured', () => {
  let gpu: Gpu;
  let model: Model;
  let cpu: ReferenceModel;
  let cpuNoWindow: ReferenceModel;
  const N = 3 * WINDOW + 1;
  const rng = new Rng(9);
  const inputs = rng.normalArray(N * CONFIG.hidden_size);
  const targets = Array.from({ length: N }, () => rng.int(CONFIG.vocab_size));

  beforeAll(async () => {
    gpu = await testGpu();
    const dir = await folder(WINDOW);
    model = await loadModel(gpu, nodeFolderSource(dir));
    cpu = await loadReferenceModel(nodeFolderSource(dir));
    cpuNoWindow = await loadReferenceModel(nodeFolderSource(await folder(null)));
  });

  it('config: family mistral with its window; null means none; a bad window is refused naming the field', () => {
    expect(model.spec).toMatchObject({ arch: 'llama', family: 'mistral', slidingWindow: WINDOW });
    expect(parseConfig({ ...CONFIG, sliding_window: null }).slidingWindow).toBe(0);
    expect(() => parseConfig({ ...CONFIG, sliding_window: 0 })).toThrow(/sliding_window/);
  });

  it('the loss and argmax of input embeddings match the float64 forward pass with the window (and not without it)', async () => {
    const got = await runEmbeddings(model, inputs, targets, { grad: false });
    const want = cpu.forward(inputs, targets);
    expect(Math.abs(got.lossSum - want.lossSum) / want.lossSum).toBeLessThan(1e-5);
    expect(Array.from(got.argmax)).toEqual(Array.from(want.argmax));
    const unwindowed = cpuNoWindow.forward(inputs, targets);
    expect(Math.abs(unwindowed.lossSum - want.lossSum) / want.lossSum).toBeGreaterThan(1e-3);
  });

  it('the input gradient matches central differences of the loss', async () => {
    const r = await runEmbeddings(model, inputs, targets, { grad: true });
    const h = 1e-2;
    for (let k = 0; k < 3; k++) {
      const v = new Rng(20 + k).normalArray(inputs.length);
      const at = (s: number) => inputs.map((x, i) => x + s * h * v[i]);
      const fd = ((await runEmbeddings(model, at(1), targets, { grad: false })).lossSum - (await runEmbeddings(model, at(-1), targets, { grad: false })).lossSum) / (2 * h);
      const analytic = r.grad!.reduce((s, g, i) => s + g * v[i], 0);
      expect(Math.abs(fd - analytic) / Math.abs(analytic), `direction ${k}`).toBeLessThan(2e-2);
    }
  });

  it('the KV-cached decoder keeps only the window: it generates what the uncached generate does, far past the window', async () => {
    const prompt = [1, 5, 9];
    expect(await kvGreedyGenerate(model, prompt, 4 * WINDOW)).toEqual(await greedyGenerate(model, prompt, 4 * WINDOW));
  });
});
