/**
 * The gpt2 family beyond the golden values (test/model/fixtures.test.ts): tensor names with and
 * without `transformer.`, Conv1D matrices transposed at load, positions added to input embeddings
 * as to token embeddings, layers counted from `h.N.` names, an in-memory random GPT-2, and what
 * `protolab info` says.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { randomModelSource } from '../../src/model/sources/random-source.ts';
import type { ModelSource } from '../../src/model/sources/source.ts';
import { bytesSource, encodeSafetensors, readSafetensorsHeader, readTensor } from '../../src/model/safetensors.ts';
import { readLinear } from '../../src/model/linear.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { TransformerSession } from '../../src/model/transformer.ts';
import { Program } from '../../src/gpu/program.ts';
import { WeightShapeError } from '../../src/model/weights.ts';
import { loadedInfo, printInfo } from '../../src/cli/commands/info.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES, golden } from '../helpers/fixtures.ts';
import { runEmbeddings, protoInputs } from '../helpers/run-embeddings.ts';

const DIR = `${FIXTURES}gpt2-tiny`;
const config = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>;

/** gpt2-tiny's checkpoint with its tensors renamed (null drops one) and config.json replaced. */
async function rewritten(rename: (name: string) => string | null, cfg: Record<string, unknown> = config): Promise<ModelSource> {
  const raw = readFileSync(join(DIR, 'model.safetensors'));
  const src = bytesSource(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), DIR);
  const tensors = [];
  for (const info of (await readSafetensorsHeader(src)).tensors.values()) {
    const name = rename(info.name);
    if (name !== null) tensors.push({ name, shape: info.shape, data: await readTensor(src, info) });
  }
  const bytes = encodeSafetensors(tensors);
  const describe = `${DIR} (rewritten)`;
  return {
    describe,
    has: async (file) => file === 'config.json' || file === 'model.safetensors',
    open: async () => bytesSource(bytes, `${describe}/model.safetensors`),
    text: async (file) => (file === 'config.json' ? JSON.stringify(cfg) : readFileSync(join(DIR, file), 'utf8')),
  };
}

describe('gpt2', () => {
  let gpu: Gpu;
  let model: Model;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(DIR));
  });

  it('names with the transformer. prefix and without the causal-mask buffers give the same model', async () => {
    const prefixed = await loadModel(gpu, await rewritten((n) => (n.endsWith('.attn.bias') ? null : `transformer.${n}`)));
    try {
      const ids = golden('gpt2-tiny').forward.input_ids;
      const [a, b] = [await evaluateTokens(model, ids, { keepLogits: true }), await evaluateTokens(prefixed, ids, { keepLogits: true })];
      expect(Array.from(b.logits!)).toEqual(Array.from(a.logits!));
    } finally {
      prefixed.destroy();
    }
  });

  it('Conv1D weights [in, out] are uploaded as their transpose [out, in]', async () => {
    const raw = readFileSync(join(DIR, 'model.safetensors'));
    const src = bytesSource(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), DIR);
    const header = await readSafetensorsHeader(src);
    const d = model.spec.hidden;
    const I = model.spec.intermediate;
    const w = model.weights.layers[1];
    for (const [name, lin, inF, out] of [
      ['h.1.attn.c_attn.weight', w.qkv, d, 3 * d],
      ['h.1.attn.c_proj.weight', w.o, d, d],
      ['h.1.mlp.c_fc.weight', w.up, d, I],
      ['h.1.mlp.c_proj.weight', w.down, I, d],
    ] as const) {
      const stored = await readTensor(src, header.tensors.get(name)!);
      const gpuRows = await readLinear(gpu, lin);
      expect([lin.out, lin.in], name).toEqual([out, inF]);
      const t = new Float32Array(out * inF);
      for (let k = 0; k < inF; k++) for (let o = 0; o < out; o++) t[o * inF + k] = stored[k * out + o];
      expect(Array.from(gpuRows), name).toEqual(Array.from(t));
    }
    expect(model.weights.positions).toMatchObject({ out: 128, in: d });
  });

  it('input embeddings get wpe added as inputs_embeds do: token embeddings as inputs give evaluate`s logits, run after run', async () => {
    const ids = golden('gpt2-tiny').forward.input_ids.slice(0, 12);
    const N = ids.length;
    const d = model.spec.hidden;
    const wte = await readLinear(gpu, model.weights.embed);
    const inputs = new Float32Array(N * d);
    ids.forEach((t, i) => inputs.set(wte.subarray(t * d, (t + 1) * d), i * d));
    const want = (await evaluateTokens(model, ids, { keepLogits: true })).logits!;
    const s = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: false, keepLogits: true });
    const p = new Program(gpu, 'inputs_embeds');
    try {
      gpu.write(s.inputs, inputs);
      s.recordForward(p);
      // The sum lives in x0, not in the inputs: a replay adds the positions once again, not twice.
      for (let run = 0; run < 2; run++) {
        p.run();
        expect(Array.from(await gpu.read(s.logits!)), `run ${run}`).toEqual(Array.from(want));
      }
    } finally {
      p.destroy();
      s.destroy();
    }
  });

  it('a config with more layers than the checkpoint`s h.N. tensors is refused at once, naming n_layer', async () => {
    await expect(loadModel(gpu, await rewritten((n) => n, { ...config, n_layer: 3 }))).rejects.toThrow(
      'config.json says n_layer is 3, but the checkpoint holds tensors for 2 layers: the weights and the config do not belong together.',
    );
  });

  it('a missing tensor is named with both spellings', async () => {
    const err = await loadModel(gpu, await rewritten((n) => (n === 'h.1.mlp.c_fc.bias' ? null : n))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightShapeError);
    expect((err as Error).message).toBe('The checkpoint has no tensor h.1.mlp.c_fc.bias (nor transformer.h.1.mlp.c_fc.bias), which a gpt2 model with this config.json needs.');
  });

  it('an in-memory random GPT-2 loads from its own plan and runs proto-token inputs with gradients', async () => {
    const cfg = { model_type: 'gpt2', vocab_size: 300, n_embd: 32, n_layer: 3, n_head: 2, n_positions: 40, n_inner: 80 };
    const m = await loadModel(gpu, randomModelSource(cfg, { seed: 3 }), { format: 'q8' });
    try {
      expect(m.spec).toMatchObject({ arch: 'gpt2', layers: 3, intermediate: 80, maxPositions: 40 });
      const pt = golden('gpt2-tiny').prototoken;
      const e = pt.e.slice(0, 32);
      const r = await runEmbeddings(m, protoInputs(e, pt.m.slice(0, 32), 9), [1, 2, 3, 4, 5, 6, 7, 8, 9], { grad: true });
      expect(Number.isFinite(r.lossSum)).toBe(true);
      expect(r.grad!.every(Number.isFinite)).toBe(true);
    } finally {
      m.destroy();
    }
  });

  it('protolab info names the family and its learned positions', () => {
    const r = loadedInfo({ gpu, model }, 16);
    expect(r).toMatchObject({ family: 'gpt2', architecture: 'gpt2', activation: 'gelu_tanh', learned_positions: true, rotary_dim: 0, norm: 'layernorm', tied_embeddings: true });
    expect(printInfo(r)).toMatch(/^architecture {2}gpt2, [\d,]+ parameters$/m);
    expect(printInfo(r)).toMatch(/x 12, learned positions, mlp 192$/m);
  });
});
