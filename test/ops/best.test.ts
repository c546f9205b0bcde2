import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { trackBest } from '../../src/ops/best.ts';
import { trackBestRef, type BestRef } from '../../src/reference/best.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';

const NONE = 0xffffffff;

describe('best (shaders/best.wgsl): keep the best params per item', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  it('matches the reference over a sequence of steps with improvements, ties and NaN', async () => {
    const B = 3;
    const K = 2;
    const dim = 5;
    const P = 5;
    const rows = [
      [0, 3],
      [1, 3],
      [2, 4],
    ]; // items 0 and 1 share params row 3 (a shared m)
    const steps: [number[], number[]][] = [
      [[1, 0, 2], [5, 6, 7]],
      [[1, 1, 2], [4, 7, NaN]], // item 0: tie with lower loss; item 1: gain; item 2: NaN never wins
      [[0, 1, 3], [1, 8, 6]], // item 0: fewer correct; item 1: tie with higher loss; item 2: gain
      [[2, 1, 3], [9, 6.5, 6]], // item 0 gain; item 1 tie lower loss; item 2 tie equal loss (not better)
    ];
    const itemCorrect = gpu.createTensor([B], 'u32');
    const itemLoss = gpu.createTensor([B]);
    const step = gpu.createTensor([1], 'u32');
    const params = gpu.createTensor([P, dim]);
    const state = {
      bestCorrect: gpu.createTensor([B], 'u32'),
      bestLoss: gpu.createTensor([B]),
      bestStep: upload(gpu, [B], [NONE, NONE, NONE], 'bs', 'u32'),
      improved: gpu.createTensor([B], 'u32'),
      bestParams: gpu.createTensor([B, K, dim]),
    };
    const rowsT = upload(gpu, [B, K], rows.flat(), 'rows', 'u32');
    const ref: BestRef = { correct: [0, 0, 0], loss: [0, 0, 0], step: [-1, -1, -1], params: [] };
    const rng = new Rng(3);
    for (let t = 0; t < steps.length; t++) {
      const [c, l] = steps[t];
      const pv = rng.uniformArray(P * dim);
      gpu.write(itemCorrect, Uint32Array.from(c));
      gpu.write(itemLoss, Float32Array.from(l));
      gpu.write(step, Uint32Array.from([t]));
      gpu.write(params, pv);
      await runOnce(gpu, (p) => trackBest(p, 'best', { ...state, itemCorrect, itemLoss, step, params, rows: rowsT, B, K, dim }));
      trackBestRef(ref, c, l, t, pv, rows, dim);
    }
    const [bc, bl, bs, bp] = await gpu.readMany([state.bestCorrect, state.bestLoss, state.bestStep, state.bestParams]);
    expect(Array.from(bc)).toEqual(ref.correct);
    expect(Array.from(bs)).toEqual(ref.step);
    expect(ref.step).toEqual([3, 3, 2]);
    ref.loss.forEach((x, b) => expect(bl[b]).toBeCloseTo(x, 5));
    ref.params.forEach((v, b) => expect(Array.from((bp as Float32Array).subarray(b * K * dim, (b + 1) * K * dim))).toEqual(Array.from(v, Math.fround)));
  });
});
