import { describe, it, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { swigluFusable, swigluUp, swigluDownBackward } from '../../src/ops/swiglu-matmul.ts';
import { matmulRef } from '../../src/reference/matmul.ts';
import { swigluRef, swigluBackwardRef } from '../../src/reference/activations.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { expectClose } from '../helpers/compare.ts';

// The matmul's f32 accumulation (1e-5 in matmul.test.ts) followed by SwiGLU's exp and products
// (2e-6 in activations.test.ts).
const TOL = 2e-5;

describe('SwiGLU fused into the MLP matmuls (shaders/matmul_quad.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
    if (!swigluFusable(gpu, 4, 4)) throw new Error('these kernels need SwiftShader with subgroups (the adapter tests run on)');
  });

  // [M, I, K]: stories260k's MLP (64 x 172 x 64; 8 quads per workgroup, 16 at 129 rows), sizes off
  // the 8 x 8 quad block, one long reduction.
  const shapes: [number, number, number][] = [
    [1, 4, 4],
    [7, 20, 12],
    [64, 172, 64],
    [129, 172, 64],
    [33, 36, 1000],
  ];
  for (const [M, I, K] of shapes) {
    for (const withBias of [false, true]) {
      it(`forward M=${M} I=${I} K=${K}${withBias ? ' with bias' : ''}: gu = x·Wᵀ + b and h = silu(g)·u`, async () => {
        const rng = new Rng(M * 7 + I * 13 + K);
        const X = rng.uniformArray(M * K);
        const W = rng.uniformArray(2 * I * K, -0.3, 0.3);
        const B = rng.uniformArray(2 * I);
        const x = upload(gpu, [M, K], X);
        const w = upload(gpu, [2 * I, K], W);
        const bias = withBias ? upload(gpu, [2 * I], B) : undefined;
        const gu = gpu.createTensor([M, 2 * I]);
        const h = gpu.createTensor([M, I]);
        await runOnce(gpu, (p) => swigluUp(p, 'up', { x, w, bias, gu, h, M, I, K }));
        const wantGu = matmulRef(X, W, M, 2 * I, K, true, withBias ? B : undefined);
        expectClose(await gpu.read(gu), wantGu, TOL, 'gu');
        expectClose(await gpu.read(h), swigluRef(wantGu, M, I), TOL, 'h');
      });
    }

    it(`backward M=${M} I=${I} K=${K}: dgu = SwiGLU' of dy·W_down`, async () => {
      const rng = new Rng(M * 11 + I * 5 + K);
      const GU = rng.uniformArray(M * 2 * I, -3, 3);
      const DY = rng.uniformArray(M * K);
      const WD = rng.uniformArray(K * I, -0.3, 0.3); // W_down [K, I]: the model's hidden x intermediate
      const dy = upload(gpu, [M, K], DY);
      const wDown = upload(gpu, [K, I], WD);
      const gu = upload(gpu, [M, 2 * I], GU);
      const dgu = gpu.createTensor([M, 2 * I]);
      await runOnce(gpu, (p) => swigluDownBackward(p, 'down.bwd', { dy, wDown, gu, dgu, M, I, K }));
      const dh = matmulRef(DY, WD, M, I, K, false);
      expectClose(await gpu.read(dgu), swigluBackwardRef(GU, dh, M, I), TOL, 'dgu');
    });
  }
});
