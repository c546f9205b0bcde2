import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { sampleContinuation } from '../../src/model/sample.ts';
import { greedyGenerate } from '../../src/model/generate.ts';
import { sourceByName, generatedPg19Source } from '../../src/datasets/node/sources.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

describe('sampling continuations from stories260k', () => {
  let gpu: Gpu;
  let model: Model;
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
  });

  it('sampleContinuation is reproducible per seed, differs across seeds, and is greedy at temperature 0', async () => {
    const context = [1, ...tokenizer.encode('Once upon a time')];
    const a = await sampleContinuation(model, context, 10, 1);
    expect(a).toHaveLength(10);
    expect(await sampleContinuation(model, context, 10, 1)).toEqual(a);
    expect(await sampleContinuation(model, context, 10, 2)).not.toEqual(a);
    expect(await sampleContinuation(model, context, 6, 3, 0)).toEqual(await greedyGenerate(model, context, 6));
    const banned = await sampleContinuation(model, [1], 12, 4, 5, { exclude: [1, 2], vocabLimit: 300 });
    banned.forEach((t) => expect(t < 300 && t !== 1 && t !== 2).toBe(true));
    await expect(sampleContinuation(model, [], 3, 0)).rejects.toThrow(/at least one context token/);
    await expect(sampleContinuation(model, [1], 600, 0)).rejects.toThrow(/at most 512/);
    await expect(sampleContinuation(model, [1], 3, 0, -1)).rejects.toThrow(/temperature/);
  });

  it("the 'generated' source: PG-19 contexts, continuations of exactly length tokens, reproducible per seed", async () => {
    const L = 8;
    const src = sourceByName('generated');
    const a = await src.texts({ tokenizer, model, length: L, count: 2, seed: 5 });
    expect(a).toHaveLength(2);
    const contexts = await sourceByName('pg19').texts({ tokenizer, length: L, count: 2, seed: 5 });
    a.forEach((t, i) => {
      expect(t.tokens).toHaveLength(L);
      expect(t.text).toBe(tokenizer.decode(t.tokens));
      expect(t.context).toEqual({ id: contexts[i].id, tokens: contexts[i].tokens, text: contexts[i].text, bos: true });
      expect(t.id).toBe(`generated/${contexts[i].id}/5/0`);
      expect(t.tokens.includes(1) || t.tokens.includes(2)).toBe(false);
    });
    expect(await src.texts({ tokenizer, model, length: L, count: 2, seed: 5 })).toEqual(a);
    const b = await src.texts({ tokenizer, model, length: L, count: 2, seed: 6 });
    expect(b.map((t) => t.tokens)).not.toEqual(a.map((t) => t.tokens));
    // several continuations of one context (Fig. 6)
    const same = await generatedPg19Source({ perContext: 2 }).texts({ tokenizer, model, length: L, count: 2, seed: 5 });
    expect(same.map((t) => t.context!.id)).toEqual([a[0].context!.id, a[0].context!.id]);
    expect(same[0].tokens).toEqual(a[0].tokens);
    expect(same[1].tokens).not.toEqual(same[0].tokens);
  });

  it("the 'generated' source needs a model and room for context + continuation", async () => {
    await expect(sourceByName('generated').texts({ tokenizer, length: 8, count: 1 })).rejects.toThrow(/samples from the model; load a model first/);
    await expect(sourceByName('generated').texts({ tokenizer, model, length: 300, count: 1 })).rejects.toThrow(/need 601 positions; this model has 512\. Use at most 255 tokens/);
  });
});
