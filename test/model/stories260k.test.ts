import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { greedyGenerate } from '../../src/model/generate.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES, golden } from '../helpers/fixtures.ts';
import { runEmbeddings, protoInputs } from '../helpers/run-embeddings.ts';

interface RefCase {
  prompt: string;
  input_ids: number[];
  last_logits_top5: [number, number][];
  next_token_nll: number[];
  greedy_40_ids: number[];
}
const reference = JSON.parse(readFileSync(`${STORIES}/reference_outputs.json`, 'utf8')) as { cases: RefCase[] };

describe('stories260k (real pretrained Llama)', () => {
  let gpu: Gpu;
  let model: Model;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
  });

  it.each(reference.cases.map((c) => [JSON.stringify(c.prompt), c] as const))('greedy decoding from %s reproduces greedy_40_ids', async (_, c) => {
    expect(await greedyGenerate(model, c.input_ids, 40)).toEqual(c.greedy_40_ids);
  });

  it.each(reference.cases.map((c) => [JSON.stringify(c.prompt), c] as const))('next-token NLL and top-5 last logits for %s', async (_, c) => {
    const r = await evaluateTokens(model, c.input_ids, { keepLogits: true });
    r.nll.forEach((x, i) => expect(x).toBeCloseTo(c.next_token_nll[i], 4));
    const V = model.spec.vocabSize;
    const last = r.logits!.subarray((c.input_ids.length - 1) * V);
    for (const [id, value] of c.last_logits_top5) expect(last[id]).toBeCloseTo(value, 3);
  });

  it('the gradient matches central finite differences of the loss along random directions', async () => {
    // f32 loss of ~260 carries ~2e-5 absolute rounding; with h = 1e-2 that is ~1e-3 of a typical
    // directional derivative, and the O(h²) truncation error is smaller still: 2 % is a real check.
    const pt = golden('stories260k').prototoken;
    const N = pt.N;
    const d = model.spec.hidden;
    const x0 = protoInputs(pt.e, pt.m, N);
    const base = await runEmbeddings(model, x0, pt.target_ids, { grad: true });
    const rng = new Rng(11);
    const h = 1e-2;
    for (let trial = 0; trial < 3; trial++) {
      // Perturb e and m (all m rows together, as the optimiser does) along a random direction.
      const ue = rng.normalArray(d);
      const um = rng.normalArray(d);
      const shifted = (s: number) => {
        const x = Float32Array.from(x0);
        for (let j = 0; j < d; j++) x[j] += s * h * ue[j];
        for (let i = 1; i < N; i++) for (let j = 0; j < d; j++) x[i * d + j] += s * h * um[j];
        return x;
      };
      const plus = await runEmbeddings(model, shifted(1), pt.target_ids, { grad: false });
      const minus = await runEmbeddings(model, shifted(-1), pt.target_ids, { grad: false });
      const fd = (plus.lossSum - minus.lossSum) / (2 * h);
      let analytic = 0;
      for (let j = 0; j < d; j++) analytic += base.grad![j] * ue[j];
      for (let i = 1; i < N; i++) for (let j = 0; j < d; j++) analytic += base.grad![i * d + j] * um[j];
      expect(Math.abs(fd - analytic) / Math.abs(analytic), `FD ${fd} vs analytic ${analytic}`).toBeLessThan(0.02);
    }
  });
});
