import { describe, it, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { matmul } from '../../src/ops/matmul.ts';
import { matmulRef } from '../../src/reference/matmul.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { expectClose } from '../helpers/compare.ts';

// f32 accumulation over K terms: relative error grows ~ sqrt(K)·eps; 1e-5 holds to K in the thousands.
const TOL = 1e-5;

describe('matmul (shaders/matmul.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  // Sizes off every tile multiple, and one long reduction (WEBGPU.md: emulators that cut loops).
  // K (and N for dy·W) divisible by 4 select the vec4 entry points; the others the scalar one.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 13, 5],
    [33, 65, 17],
    [33, 66, 20],
    [3, 68, 4],
    [64, 172, 64],
    [5, 3, 70000],
    [5, 8, 70000],
  ];
  for (const transposeB of [true, false]) {
    for (const [M, N, K] of shapes) {
      it(`${transposeB ? 'x·Wᵀ' : 'dy·W'} M=${M} N=${N} K=${K}`, async () => {
        const rng = new Rng(M * 1000 + N * 10 + K);
        const A = rng.uniformArray(M * K);
        const B = rng.uniformArray(N * K);
        const bias = rng.uniformArray(N);
        const a = upload(gpu, [M, K], A);
        const b = upload(gpu, transposeB ? [N, K] : [K, N], B);
        const bi = upload(gpu, [N], bias);
        const c = gpu.createTensor([M, N]);
        await runOnce(gpu, (p) => matmul(p, 'mm', { a, b, c, bias: bi, M, N, K, transposeB }));
        expectClose(await gpu.read(c), matmulRef(A, B, M, N, K, transposeB, bias), TOL, 'C');
      });
    }
  }

  it('accumulates into a column block of a wider C (strides and offsets)', async () => {
    const [M, N, K, ldc, cOffset] = [9, 6, 11, 20, 5];
    const rng = new Rng(7);
    const A = rng.uniformArray(M * K);
    const B = rng.uniformArray(K * N);
    const C0 = rng.uniformArray(M * ldc);
    const a = upload(gpu, [M, K], A);
    const b = upload(gpu, [K, N], B);
    const c = upload(gpu, [M, ldc], C0);
    await runOnce(gpu, (p) => matmul(p, 'mm', { a, b, c, M, N, K, transposeB: false, accumulate: true, ldc, cOffset }));
    const want = Float64Array.from(C0);
    const prod = matmulRef(A, B, M, N, K, false);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) want[cOffset + i * ldc + j] += prod[i * N + j];
    expectClose(await gpu.read(c), want, TOL, 'C');
  });
});
