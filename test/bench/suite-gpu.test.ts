/**
 * The benchmark suite's GPU bodies (bench/suite/) on Dawn: timeOneStep catches errors through
 * Gpu.checked (which now covers an async body's GPU calls made after an await), and a matmul
 * shape's kernel label is the path matmul() took, not a guess.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { matmulPath } from '../../src/ops/matmul.ts';
import { benchMatmulShape } from '../../bench/suite/model-matmuls.ts';
import { randomTokens, timeOneStep } from '../../bench/suite/model-steps.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

const ONCE = { minReps: 1, maxReps: 1, budgetMs: 0 };

/** A WebGPU validation error: MAP_READ buffers may only also be COPY_DST. */
function invalidBuffer(gpu: Gpu): void {
  gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
}

describe('bench/suite/ on the GPU', () => {
  let gpu: Gpu;
  let model: Model;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}stories260k`));
  });
  afterAll(() => model?.destroy());

  it('Gpu.checked reports a validation error made by a sync body', async () => {
    await expect(gpu.checked('sync body', () => invalidBuffer(gpu))).rejects.toThrow(/^sync body: /);
  });

  it('Gpu.checked reports a validation error made after an await in an async body', async () => {
    await expect(
      gpu.checked('async body', async () => {
        await gpu.idle();
        invalidBuffer(gpu);
      }),
    ).rejects.toThrow(/^async body: /);
    // And returns the body's value when nothing went wrong.
    await expect(gpu.checked('fine', async () => (await gpu.idle(), 42))).resolves.toBe(42);
  });

  it('timeOneStep times one step of a small model', async () => {
    const r = await timeOneStep(model, randomTokens(model.spec.vocabSize, 4), 60_000);
    expect(r.reason).toBeUndefined();
    expect(r).toMatchObject({ N: 4, steps: 1, warmup: 1 });
    expect(r.msPerStep).toBeGreaterThan(0);
  });

  it('timeOneStep records a warm-up over the limit as the reason, not timed again', async () => {
    const r = await timeOneStep(model, randomTokens(model.spec.vocabSize, 4), 0);
    expect(r).toMatchObject({ N: 4, msPerStep: null, steps: 0, warmup: 1 });
    expect(r.reason).toMatch(/over the 0 s limit: not timed again/);
  });

  it('a matmul shape is labelled with the kernel matmul() ran', async () => {
    // K = 6: not vec4-aligned, so the scalar kernel runs (the old label guessed 'vec4' here).
    const odd = await benchMatmulShape(gpu, { name: 'odd K', M: 8, K: 6, N: 8 }, ONCE);
    expect(odd.kernel).toBe('scalar');
    const aligned = await benchMatmulShape(gpu, { name: 'aligned', M: 8, K: 8, N: 8 }, ONCE);
    const t = gpu.createTensor([1], 'f32', 'unused');
    expect(aligned.kernel).toBe(matmulPath(gpu, { a: t, b: t, c: t, M: 8, N: 8, K: 8, transposeB: true }));
    expect(aligned.kernel).toBe(gpu.features.subgroups && gpu.cpuEmulated ? 'quad' : 'vec4');
    gpu.destroyTensor(t);
  });
});
