import { describe, it, beforeAll, expect } from 'vitest';
import { Gpu } from '../../src/gpu/gpu.ts';
import { Program } from '../../src/gpu/program.ts';
import { adamwTick, adamwUpdate, type AdamWHyper } from '../../src/ops/adamw.ts';
import { adamwRefInit, adamwRefStep } from '../../src/reference/adamw.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload } from '../helpers/gpu.ts';
import { relMaxError } from '../helpers/compare.ts';

// 20 steps of f32 rounding on O(1) parameters and m/v; each step's update is itself accurate to ~1e-6.
const TOL = 2e-6;
const STEPS = 20;

// The GPU sees the hyperparameters as f32; rounding them here makes the float64 reference use the
// same values (f32(0.999) alone moves 1 - beta2 by 1.3e-5 relative).
function asF32(h: AdamWHyper): AdamWHyper {
  return { lr: Math.fround(h.lr), beta1: Math.fround(h.beta1), beta2: Math.fround(h.beta2), eps: Math.fround(h.eps), weightDecay: Math.fround(h.weightDecay) };
}

const PAPER = asF32({ lr: 0.01, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0.01 });
const TORCH_DEFAULT = asF32({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });

interface Case {
  name: string;
  rows: number;
  dim: number;
  hyper: AdamWHyper;
  mask?: number[];
  startStep: number;
  narrow?: boolean;
}

const cases: Case[] = [
  { name: 'paper settings, no mask', rows: 5, dim: 67, hyper: PAPER, startStep: 0 },
  { name: 'paper settings, rows 1 and 4 frozen', rows: 5, dim: 67, hyper: PAPER, mask: [1, 0, 1, 1, 0], startStep: 0 },
  { name: 'torch defaults from step 100, masked', rows: 3, dim: 9, hyper: TORCH_DEFAULT, mask: [0, 1, 1], startStep: 100 },
  { name: '2-D grid of workgroups', rows: 40, dim: 300, hyper: PAPER, startStep: 0, narrow: true },
];

/** The same device with a tiny per-dimension workgroup limit, so wrappers must use a 2-D grid. */
function narrowGrid(gpu: Gpu): Gpu {
  return new Gpu(gpu.device, gpu.info, { ...gpu.limits, maxWorkgroupsPerDimension: 32 }, gpu.features);
}

describe('adamw (shaders/adamw.wgsl) against float64', () => {
  let base: Gpu;
  beforeAll(async () => {
    base = await testGpu();
  });

  for (const c of cases) {
    it(`${STEPS} replayed steps: ${c.name}`, async () => {
      const gpu = c.narrow ? narrowGrid(base) : base;
      const n = c.rows * c.dim;
      const rng = new Rng(n + c.startStep);
      const init = rng.normalArray(n);
      const params = upload(gpu, [c.rows, c.dim], init, 'params');
      const grads = gpu.createTensor([c.rows, c.dim], 'f32', 'grads');
      const m = gpu.createTensor([c.rows, c.dim], 'f32', 'm');
      const v = gpu.createTensor([c.rows, c.dim], 'f32', 'v');
      gpu.write(m, new Float32Array(n));
      gpu.write(v, new Float32Array(n));
      const step = upload(gpu, [1], [c.startStep], 'step', 'u32');
      const rowMask = c.mask ? upload(gpu, [c.rows], c.mask, 'mask', 'u32') : undefined;

      const prog = new Program(gpu, 'adamw step');
      adamwTick(prog, 'tick', { step });
      adamwUpdate(prog, 'update', { params, grads, m, v, step, n, dim: c.dim, rowMask, hyper: c.hyper });

      const ref = adamwRefInit(init);
      ref.t = c.startStep;
      for (let s = 0; s < STEPS; s++) {
        // Gradients of varying scale, so m and v see a non-stationary signal.
        const g = rng.normalArray(n, 0.1 + s / 4);
        gpu.write(grads, g);
        prog.run();
        adamwRefStep(ref, g, c.hyper, c.dim, c.mask);
      }
      await gpu.idle();
      prog.destroy();

      expect((await gpu.readU32(step))[0]).toBe(c.startStep + STEPS);
      expect(relMaxError(await gpu.read(params), ref.params), 'params').toBeLessThanOrEqual(TOL);
      expect(relMaxError(await gpu.read(m), ref.m), 'm').toBeLessThanOrEqual(TOL);
      expect(relMaxError(await gpu.read(v), ref.v), 'v').toBeLessThanOrEqual(TOL);
      if (c.mask) {
        // Frozen rows are bit-identical to their start, and their moments stay zero.
        const got = await gpu.read(params);
        const gotV = await gpu.read(v);
        c.mask.forEach((keep, r) => {
          if (keep) return;
          expect([...got.subarray(r * c.dim, (r + 1) * c.dim)]).toEqual([...init.subarray(r * c.dim, (r + 1) * c.dim)]);
          expect(gotV.subarray(r * c.dim, (r + 1) * c.dim).every((x) => x === 0)).toBe(true);
        });
      }
    });
  }

  it('the reference matches the closed form of the first step', () => {
    // After one step m/(1-b1) = g and v/(1-b2) = g^2, so the update is lr*g/(|g|+eps) after decay.
    const h = PAPER;
    const s = adamwRefInit([2, -1]);
    adamwRefStep(s, [0.5, -3], h, 1);
    const want = [2 * (1 - h.lr * h.weightDecay) - (h.lr * 0.5) / (0.5 + h.eps), -1 * (1 - h.lr * h.weightDecay) + (h.lr * 3) / (3 + h.eps)];
    expect(relMaxError(s.params, want)).toBeLessThan(1e-12);
  });
});
