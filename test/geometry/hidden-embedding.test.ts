import { readLinear } from '../../src/model/linear.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { finalHiddenStates, meanHiddenEmbeddings, meanRows } from '../../src/geometry/jobs/hidden-embedding.ts';
import { cosineDistance } from '../../src/geometry/distances.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// The fallback semantic embedding on stories260k: the final hidden states the engine reads back are
// the ones its output matrix turns into logits, and the mean-pooled text vectors do not depend on
// how texts are batched.

describe('mean-pooled final hidden states (stories260k)', () => {
  let model: Model;
  let tk: Tokenizer;
  const ids = (text: string) => tk.encode(text);

  beforeAll(async () => {
    const gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    tk = await loadTokenizer(nodeFolderSource(STORIES));
  });

  it('meanRows averages rows in float64 (by hand)', () => {
    expect(Array.from(meanRows([1, 2, 3, 4, 5, 6], 2))).toEqual([3, 4]);
    expect(Array.from(meanRows([1, 2, 3, 4, 5, 6], 2, 1))).toEqual([4, 5]);
    expect(() => meanRows([1, 2], 2, 1)).toThrow(/Nothing to average/);
  });

  it('the hidden states read back give the model\'s logits through its (tied) output matrix', async () => {
    const seq = ids('Once upon a time there was a little dog.');
    const [h] = await finalHiddenStates(model, [seq]);
    const d = model.spec.hidden;
    const V = model.spec.vocabSize;
    expect(model.weights.lmHead).toBe(model.weights.embed); // stories260k ties them
    const W = await readLinear(model.gpu, model.weights.lmHead); // [V, d]
    const ev = await evaluateTokens(model, seq, { keepLogits: true });
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < seq.length; i++) {
      for (let v = 0; v < V; v++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += h[i * d + j] * W[v * d + j];
        worst = Math.max(worst, Math.abs(z - ev.logits![i * V + v]));
        scale = Math.max(scale, Math.abs(z));
      }
    }
    expect(scale).toBeGreaterThan(1);
    expect(worst / scale).toBeLessThan(1e-4);
  });

  it('text vectors do not depend on batching; equal texts coincide, different ones differ', async () => {
    const texts = [ids('The cat sat on the mat.'), ids('Lily went to the park with her mom.'), ids('The cat sat on the mat.'), ids('Tom had a big red ball.')];
    const bos = tk.bosTokenId;
    const batched = await meanHiddenEmbeddings(model, texts, { bos, batch: 8 });
    const alone: Float64Array[] = [];
    for (const t of texts) alone.push((await meanHiddenEmbeddings(model, [t], { bos }))[0]);
    expect(batched.map((v) => v.length)).toEqual(texts.map(() => model.spec.hidden));
    batched.forEach((v, i) => v.forEach((x, j) => expect(Math.abs(x - alone[i][j])).toBeLessThan(1e-5)));
    expect(cosineDistance(batched[0], batched[2])).toBeLessThan(1e-9);
    expect(cosineDistance(batched[0], batched[1])).toBeGreaterThan(1e-3);
    // BOS is fed but not averaged: the mean is over the text's own positions 1..N.
    const [h] = await finalHiddenStates(model, [[bos!, ...texts[1]]]);
    const want = meanRows(h, model.spec.hidden, 1);
    batched[1].forEach((x, j) => expect(x).toBeCloseTo(want[j], 6));
  });

  it('refuses empty texts and over-long ones with the reason', async () => {
    await expect(meanHiddenEmbeddings(model, [[]])).rejects.toThrow(/Text 1 has no tokens/);
    await expect(meanHiddenEmbeddings(model, [new Array(600).fill(5)])).rejects.toThrow(/at most 512/);
  });
});
