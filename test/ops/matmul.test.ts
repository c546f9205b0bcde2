import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { matmul, quadGrid, QUAD_MIN_WORKGROUPS, type MatmulPath } from '../../src/ops/matmul.ts';
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
    [48, 92, 8],
    [129, 260, 12],
    [5, 3, 70000],
    [5, 8, 70000],
  ];
  // Every kernel the wrapper can pick, on every shape it accepts ('auto' is what the engine runs).
  const paths: MatmulPath[] = ['auto', 'scalar', 'vec4', 'quad'];
  const accepts = (path: MatmulPath, N: number, K: number, transposeB: boolean) =>
    path === 'auto' || path === 'scalar' || (K % 4 === 0 && (transposeB || N % 4 === 0));
  for (const path of paths) {
    for (const transposeB of [true, false]) {
      for (const [M, N, K] of shapes) {
        if (!accepts(path, N, K, transposeB)) continue;
        it(`${path}: ${transposeB ? 'x·Wᵀ' : 'dy·W'} M=${M} N=${N} K=${K}`, async () => {
          if (path === 'quad' && !(gpu.features.subgroups && gpu.cpuEmulated)) throw new Error('the quad path needs SwiftShader with subgroups (the adapter tests run on)');
          const rng = new Rng(M * 1000 + N * 10 + K);
          const A = rng.uniformArray(M * K);
          const B = rng.uniformArray(N * K);
          const bias = rng.uniformArray(N);
          const a = upload(gpu, [M, K], A);
          const b = upload(gpu, transposeB ? [N, K] : [K, N], B);
          const bi = upload(gpu, [N], bias);
          const c = gpu.createTensor([M, N]);
          await runOnce(gpu, (p) => matmul(p, 'mm', { a, b, c, bias: bi, M, N, K, transposeB, path }));
          expectClose(await gpu.read(c), matmulRef(A, B, M, N, K, transposeB, bias), TOL, 'C');
        });
      }
    }
  }

  it('quad workgroups: the shapes above take every size from 1 to 16 quads, and each grid covers C', () => {
    const seen = new Set<number>();
    for (const [M, N] of shapes) {
      const g = quadGrid(M, N);
      seen.add(g.quads);
      const qy = g.quads / g.qx;
      expect(g.workgroups[0] * 8 * g.qx).toBeGreaterThanOrEqual(N);
      expect(g.workgroups[1] * 8 * qy).toBeGreaterThanOrEqual(M);
      // No whole workgroup beyond C's edge.
      expect((g.workgroups[0] - 1) * 8 * g.qx).toBeLessThan(N);
      expect((g.workgroups[1] - 1) * 8 * qy).toBeLessThan(M);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16]);
    // A short text's product splits into enough workgroups for every core; big ones keep 16 quads.
    expect(quadGrid(16, 64)).toMatchObject({ quads: 1 });
    expect(quadGrid(16, 64).workgroups[0] * quadGrid(16, 64).workgroups[1]).toBe(QUAD_MIN_WORKGROUPS);
    expect(quadGrid(16, 172)).toMatchObject({ quads: 2 });
    expect(quadGrid(256, 50304).quads).toBe(16);
  });

  it('refuses a forced vec4 or quad path on unaligned shapes', async () => {
    const a = gpu.createTensor([3, 5]);
    const c = gpu.createTensor([3, 3]);
    for (const path of ['vec4', 'quad'] as const) {
      await expectRejects(runOnce(gpu, (p) => matmul(p, 'mm', { a, b: a, c, M: 3, N: 3, K: 5, transposeB: true, path })), /divisible by 4/);
    }
  });

  // The quad path stores vec4s when N, ldc and the offset of C are multiples of 4, scalars otherwise
  // (the vec4 path always stores scalars, so it gets the unaligned offset only). Both products, with
  // a bias read from an offset into a longer vector: the chunked linear layers and the LM head
  // (x·Wᵀ) use every one of these.
  const blockCases: [MatmulPath, number][] = paths.flatMap((path): [MatmulPath, number][] => (path === 'quad' ? [[path, 5], [path, 4]] : [[path, 5]]));
  for (const [path, cOffset] of blockCases) {
    for (const transposeB of [true, false]) {
      it(`${path}: ${transposeB ? 'x·Wᵀ' : 'dy·W'} accumulates into a column block of a wider C (strides, C offset ${cOffset}, bias offset)`, async () => {
        // Aligned sizes so every path takes it (scalar and auto also on unaligned K and N).
        const [M, N, K, ldc] = path === 'scalar' || path === 'auto' ? [9, 6, 11, 20] : [9, 8, 12, 20];
        const biasOffset = 3;
        const rng = new Rng(7);
        const A = rng.uniformArray(M * K);
        const B = rng.uniformArray(K * N);
        const C0 = rng.uniformArray(M * ldc);
        const bias = rng.uniformArray(biasOffset + N);
        const a = upload(gpu, [M, K], A);
        const b = upload(gpu, transposeB ? [N, K] : [K, N], B);
        const c = upload(gpu, [M, ldc], C0);
        const bi = upload(gpu, [biasOffset + N], bias);
        await runOnce(gpu, (p) => matmul(p, 'mm', { a, b, c, bias: bi, biasOffset, M, N, K, transposeB, accumulate: true, ldc, cOffset, path }));
        const want = Float64Array.from(C0);
        const prod = matmulRef(A, B, M, N, K, transposeB);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) want[cOffset + i * ldc + j] += prod[i * N + j] + bias[biasOffset + j];
        expectClose(await gpu.read(c), want, TOL, 'C');
      });
    }
  }
});

async function expectRejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  let err: unknown = null;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (!(err instanceof Error) || !re.test(err.message)) throw new Error(`expected an error matching ${re}, got ${String(err)}`);
}
