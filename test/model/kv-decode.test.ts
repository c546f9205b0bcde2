import { readLinear } from '../../src/model/linear.ts';
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { greedyGenerate } from '../../src/model/generate.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { KvDecoder, kvGreedyGenerate, kvDecodeEmbeddings } from '../../src/model/kv-decode.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES, FIXTURES } from '../helpers/fixtures.ts';
import { relMaxError } from '../helpers/compare.ts';
import { runEmbeddings } from '../helpers/run-embeddings.ts';

interface RefCase {
  prompt: string;
  input_ids: number[];
  greedy_40_ids: number[];
}
const reference = JSON.parse(readFileSync(`${STORIES}/reference_outputs.json`, 'utf8')) as { cases: RefCase[] };

// The cached step runs other kernels (one query row against the cache, matmuls with one row) than
// the full forward pass, so logits agree to f32 rounding, not bit for bit: measured <= 1e-6 of the
// largest logit on the three fixtures; 1e-4 still fails on any real mistake (a wrong position or a skipped key moves logits by O(1)).
const LOGIT_TOL = 1e-4;

describe('KV-cached greedy decoding on stories260k (real pretrained Llama)', () => {
  let gpu: Gpu;
  let model: Model;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
  });

  it.each(reference.cases.map((c) => [JSON.stringify(c.prompt), c] as const))('from %s reproduces greedy_40_ids of reference_outputs.json', async (_, c) => {
    expect(await kvGreedyGenerate(model, c.input_ids, 40)).toEqual(c.greedy_40_ids);
  });

  it('gives the same 80 tokens as the uncached generate.ts after a 7-token prompt', async () => {
    const prompt = [1, 403, 407, 261, 378, 432, 383];
    const [cached, uncached] = [await kvGreedyGenerate(model, prompt, 80), await greedyGenerate(model, prompt, 80)];
    expect(cached).toEqual(uncached);
  });

  // The cached decoder reads the embedding, the projections and the tied output layer through the
  // same weight readers as the full pass: in a compact format both still decode alike.
  it.each(['bf16', 'q8', 'q4'] as const)('in %s weights, gives the same 40 tokens as the uncached generate.ts', async (format) => {
    const m = await loadModel(gpu, nodeFolderSource(STORIES), { format });
    const prompt = [1, 403, 407, 261, 378];
    try {
      expect(await kvGreedyGenerate(m, prompt, 40)).toEqual(await greedyGenerate(m, prompt, 40));
    } finally {
      m.destroy();
    }
  });

  it('decodes up to the last position the model has (512)', async () => {
    const out = await kvGreedyGenerate(model, [1], 511);
    expect(out).toHaveLength(511);
    // One forward pass over [BOS, generated] predicts every generated token (greedy consistency to position 511).
    const full = await evaluateTokens(model, [1, ...out]);
    expect(full.argmax.slice(0, 511)).toEqual(out);
  });

  it('a batch of prefixes decodes as each prefix alone', async () => {
    const prompts = [[1, 403, 407], [1, 2, 300], [1, 378, 432]];
    const dec = new KvDecoder(model, { batch: 3, prefix: 3, count: 25, tokenPrefix: true });
    gpu.write(dec.prefixIds!, Uint32Array.from(prompts.flat()));
    const batched = await dec.run();
    // Replaying the same decoder gives the same tokens (the cache is rewound, not reallocated).
    expect(await dec.run()).toEqual(batched);
    dec.destroy();
    for (let b = 0; b < 3; b++) expect(batched[b]).toEqual(await kvGreedyGenerate(model, prompts[b], 25));
  });

  it('from free input embeddings (a memory-token prefix) matches the full forward pass over [prefix, generated tokens]', async () => {
    const d = model.spec.hidden;
    const K = 2;
    const mem = new Rng(3).normalArray(K * d);
    const [out] = await kvDecodeEmbeddings(model, mem, 1, 30);
    // Teacher-forced check: embed the generated tokens after the memory and run one forward pass.
    const emb = await readLinear(gpu, model.weights.embed);
    const inputs = new Float32Array((K + 29) * d);
    inputs.set(mem);
    for (let i = 0; i < 29; i++) inputs.set(emb.subarray(out[i] * d, (out[i] + 1) * d), (K + i) * d);
    const r = await runEmbeddings(model, inputs, new Array(K + 29).fill(0), { grad: false });
    expect(Array.from(r.argmax.subarray(K - 1))).toEqual(out);
  });
});

describe.each(['gpt-neox-tiny', 'llama-gqa-untied', 'gpt-neox-seq-bf16', 'qwen3-tiny', 'gpt2-tiny', 'gemma3-tiny'])('KV-cached decoding on the %s fixture: per-step logits vs the full forward pass', (name) => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(`${FIXTURES}${name}`));
  });

  it('every step’s logits equal the uncached logits at that position', async () => {
    const { gpu, spec } = model;
    const V = spec.vocabSize;
    const prompt = [5, 17, 200, 3];
    const count = 24;
    const dec = new KvDecoder(model, { batch: 1, prefix: prompt.length, count, tokenPrefix: true });
    gpu.write(dec.prefixIds!, Uint32Array.from(prompt));
    dec.reset();
    const stepLogits: Float32Array[] = [];
    dec.submitPrefill();
    stepLogits.push(await gpu.read(dec.logits));
    for (let s = 1; s < count; s++) {
      dec.submitStep();
      stepLogits.push(await gpu.read(dec.logits));
    }
    const [tokens] = await dec.readTokens();
    dec.destroy();
    const full = await evaluateTokens(model, [...prompt, ...tokens.slice(0, count - 1)], { keepLogits: true });
    for (let s = 0; s < count; s++) {
      const row = full.logits!.subarray((prompt.length - 1 + s) * V, (prompt.length + s) * V);
      expect(relMaxError(stepLogits[s], row), `step ${s}`).toBeLessThan(LOGIT_TOL);
      expect(tokens[s]).toBe(full.argmax[prompt.length - 1 + s]);
    }
    // And the token sequence is the uncached generate.ts one.
    expect(tokens).toEqual(await greedyGenerate(model, prompt, count));
  });
});

// GPT-2's learned positions: the prefill adds wpe[0..P) to each sequence's prefix, every step adds
// wpe[its position] to each sequence's token embedding.
describe('KV-cached decoding with learned positions (gpt2-tiny)', () => {
  let gpu: Gpu;
  let model: Model;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}gpt2-tiny`));
  });

  it('cached greedy equals uncached greedy (generate.ts) to the last position (128)', async () => {
    const prompt = [5, 17, 200];
    const count = model.spec.maxPositions - prompt.length + 1;
    const cached = await kvGreedyGenerate(model, prompt, count);
    expect(cached).toHaveLength(count);
    // One forward pass over [prompt, generated] predicts every generated token but the last.
    const full = await evaluateTokens(model, [...prompt, ...cached.slice(0, count - 1)]);
    expect(full.argmax.slice(prompt.length - 1)).toEqual(cached);
    expect(cached.slice(0, 40)).toEqual(await greedyGenerate(model, prompt, 40));
  });

  it('a batch of prefixes decodes as each prefix alone', async () => {
    const prompts = [[5, 17, 200], [1, 2, 300], [40, 41, 42]];
    const dec = new KvDecoder(model, { batch: 3, prefix: 3, count: 20, tokenPrefix: true });
    gpu.write(dec.prefixIds!, Uint32Array.from(prompts.flat()));
    const batched = await dec.run();
    expect(await dec.run()).toEqual(batched);
    dec.destroy();
    // Alone: the single-sequence decoder, itself held to generate.ts above.
    for (let b = 0; b < 3; b++) expect(batched[b]).toEqual(await kvGreedyGenerate(model, prompts[b], 20));
  });

  it('from free input embeddings (a memory-token prefix) matches the full forward pass over [prefix, generated tokens]', async () => {
    const d = model.spec.hidden;
    const K = 2;
    const mem = new Rng(4).normalArray(2 * K * d);
    const out = await kvDecodeEmbeddings(model, mem, 2, 20);
    const emb = await readLinear(gpu, model.weights.embed);
    for (let b = 0; b < 2; b++) {
      const inputs = new Float32Array((K + 19) * d);
      inputs.set(mem.subarray(b * K * d, (b + 1) * K * d));
      for (let i = 0; i < 19; i++) inputs.set(emb.subarray(out[b][i] * d, (out[b][i] + 1) * d), (K + i) * d);
      const r = await runEmbeddings(model, inputs, new Array(K + 19).fill(0), { grad: false });
      expect(Array.from(r.argmax.subarray(K - 1))).toEqual(out[b]);
    }
  });

  it.each(['bf16', 'q4'] as const)('in %s weights (wpe in the format too), cached greedy equals uncached greedy', async (format) => {
    const m = await loadModel(gpu, nodeFolderSource(`${FIXTURES}gpt2-tiny`), { format });
    try {
      expect(m.weights.positions!.format).toBe(format);
      expect(await kvGreedyGenerate(m, [5, 17, 200, 3], 30)).toEqual(await greedyGenerate(m, [5, 17, 200, 3], 30));
    } finally {
      m.destroy();
    }
  });
});
