import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { singleText, withFixedM } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { timeSteps } from '../../src/prototokens/step-timing.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES, golden } from '../helpers/fixtures.ts';

describe('ProtoTrainer on the golden proto-token fixture', () => {
  let gpu: Gpu;
  let model: Model;
  const pt = golden('stories260k').prototoken;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}stories260k`));
  });

  it('first step: the loss of the starting vectors, then one AdamW update along the routed gradient', async () => {
    const problem = { ...singleText(pt.target_ids, 0), initial: new Map([[0, Float32Array.from(pt.e)], [1, Float32Array.from(pt.m)]]) };
    const s = { ...PAPER_SETTINGS, maxSteps: 1 };
    const tr = await ProtoTrainer.create(model, problem, s);
    tr.submitSteps(1);
    const r = await tr.report();
    expect(Math.abs(r.loss[0] - pt.loss_sum) / pt.loss_sum).toBeLessThan(1e-5);
    expect(r.bestStep[0]).toBe(0);
    const [best] = await tr.bestVectors();
    expect(Array.from(best.e)).toEqual(Array.from(Float32Array.from(pt.e)));
    // AdamW's first step: p·(1 - lr·wd) - lr·g/(|g| + eps/ (1-b2)^½-ish) ≈ p·(1 - lr·wd) - lr·sign(g).
    const [now] = await tr.currentVectors();
    const check = (p0: number[], g: number[], p1: Float32Array) =>
      p0.forEach((x, j) => {
        const want = x * (1 - s.lr * s.weightDecay) - s.lr * Math.sign(g[j]);
        expect(Math.abs(p1[j] - want)).toBeLessThan(1e-5);
      });
    check(pt.e, pt.grad_e, now.e);
    check(pt.m, pt.grad_m, now.m);
    tr.destroy();
  });

  it('a fixed m is never updated; only e trains', async () => {
    const m = Float32Array.from(pt.m);
    const tr = await ProtoTrainer.create(model, withFixedM(pt.target_ids.slice(0, 8), 1, m), { ...PAPER_SETTINGS, maxSteps: 5 });
    tr.submitSteps(5);
    await tr.report();
    const [now] = await tr.currentVectors();
    expect(Array.from(now.m)).toEqual(Array.from(m));
    tr.destroy();
  });

  it('step timing of S restarts in one batch: the same step program (dispatch count) as one seed, S items', async () => {
    const o = { warmup: 1, minSteps: 2, maxSteps: 2, budgetMs: 1 };
    const one = await timeSteps(model, pt.target_ids.slice(0, 4), o);
    const eight = await timeSteps(model, pt.target_ids.slice(0, 4), { ...o, seeds: 8 });
    expect([one.seeds, eight.seeds]).toEqual([1, 8]);
    expect(eight.dispatchesPerStep).toBe(one.dispatchesPerStep);
    expect(eight.steps).toBe(2);
    expect(eight.msPerStep).toBeGreaterThan(0);
  });
});
