import { describe, it, beforeAll, expect } from 'vitest';
import { Gpu } from '../../src/gpu/gpu.ts';
import { ropeBackward, ropeForward, ropeTable, type RopeArgs } from '../../src/ops/rope.ts';
import { ropeBackwardRef, ropeForwardRef, type RopeRefArgs } from '../../src/reference/rope.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { relMaxError } from '../helpers/compare.ts';

// Each output is a 2-term f32 dot product with |cos|,|sin| <= 1: a few ulps of the largest input.
const TOL = 1e-6;
// The reference is linear, so float64 central differences are exact up to rounding.
const FD_TOL = 1e-9;
// relMaxError is NaN (and fails every bound) when an output is not finite, so one expect per
// tensor suffices; a per-element expect costs seconds on these sizes.

interface Case extends RopeRefArgs {
  name: string;
  maxPos: number;
  theta: number;
}

const cases: Case[] = [
  // Llama: rotDim = headDim; 3 heads at column 5 of a 40-wide row; 3 sequences of 4 (the last cut short).
  { name: 'llama full rotary', rows: 10, seqLen: 4, posOffset: 3, ld: 40, colOffset: 5, nHeads: 3, headDim: 8, rotDim: 8, maxPos: 16, theta: 500000 },
  // Pythia rotary_pct 0.25: headDim 16 -> rotDim 4, the other 12 columns of each head pass through.
  { name: 'pythia partial rotary', rows: 9, seqLen: 3, posOffset: 7, ld: 100, colOffset: 16, nHeads: 4, headDim: 16, rotDim: 4, maxPos: 12, theta: 10000 },
  // Many workgroups and large positions.
  { name: 'many rows, large positions', rows: 96, seqLen: 48, posOffset: 20000, ld: 3 * 256, colOffset: 256, nHeads: 4, headDim: 64, rotDim: 64, maxPos: 20048, theta: 10000 },
];

function invFreq(rotDim: number, theta: number): Float64Array {
  const f = new Float64Array(rotDim / 2);
  for (let j = 0; j < f.length; j++) f[j] = 1 / theta ** ((2 * j) / rotDim);
  return f;
}

/** The same device with a tiny per-dimension workgroup limit, so wrappers must use a 2-D grid. */
function narrowGrid(gpu: Gpu): Gpu {
  return new Gpu(gpu.device, gpu.info, { ...gpu.limits, maxWorkgroupsPerDimension: 32 }, gpu.features);
}

describe('rope (shaders/rope.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  for (const c of cases) {
    for (const dir of ['forward', 'backward'] as const) {
      it(`${dir}: ${c.name}`, async () => {
        const rng = new Rng(c.rows * 31 + c.rotDim + (dir === 'forward' ? 0 : 1));
        const X = rng.uniformArray(c.rows * c.ld);
        const T = ropeTable(invFreq(c.rotDim, c.theta), c.maxPos);
        const x = upload(gpu, [c.rows, c.ld], X);
        const table = upload(gpu, [c.maxPos, c.rotDim], T);
        const args: RopeArgs = { ...c, x, table };
        await runOnce(gpu, (p) => (dir === 'forward' ? ropeForward : ropeBackward)(p, 'rope', args));
        const want = (dir === 'forward' ? ropeForwardRef : ropeBackwardRef)(X, T, c);
        expect(relMaxError(await gpu.read(x), want), `rope ${dir}`).toBeLessThanOrEqual(TOL);
      });
    }
  }

  it('indexes a 2-D grid when the workgroup count exceeds the per-dimension limit', async () => {
    const c = cases[2];
    const narrow = narrowGrid(gpu);
    const rng = new Rng(99);
    const X = rng.uniformArray(c.rows * c.ld);
    const T = ropeTable(invFreq(c.rotDim, c.theta), c.maxPos);
    const x = upload(narrow, [c.rows, c.ld], X);
    const table = upload(narrow, [c.maxPos, c.rotDim], T);
    await runOnce(narrow, (p) => ropeForward(p, 'rope', { ...c, x, table }));
    expect(relMaxError(await narrow.read(x), ropeForwardRef(X, T, c))).toBeLessThanOrEqual(TOL);
  });

  it('backward undoes forward (a rotation is orthogonal)', async () => {
    const c = cases[1];
    const X = new Rng(5).uniformArray(c.rows * c.ld);
    const T = ropeTable(invFreq(c.rotDim, c.theta), c.maxPos);
    const x = upload(gpu, [c.rows, c.ld], X);
    const table = upload(gpu, [c.maxPos, c.rotDim], T);
    await runOnce(gpu, (p) => {
      ropeForward(p, 'f', { ...c, x, table });
      ropeBackward(p, 'b', { ...c, x, table });
    });
    // cos^2 + sin^2 of the f32 table entries is 1 to within ~1e-7.
    expect(relMaxError(await gpu.read(x), X)).toBeLessThanOrEqual(1e-6);
  });

  for (const c of cases.slice(0, 2)) {
    it(`reference backward matches central differences: ${c.name}`, () => {
      const rng = new Rng(17);
      const X = Float64Array.from(rng.uniformArray(c.rows * c.ld));
      const W = Float64Array.from(rng.uniformArray(c.rows * c.ld));
      const T = ropeTable(invFreq(c.rotDim, c.theta), c.maxPos);
      const f = (x: Float64Array): number => ropeForwardRef(x, T, c).reduce((s, y, i) => s + y * W[i], 0);
      const grad = ropeBackwardRef(W, T, c);
      const h = 1e-3;
      for (let i = 0; i < X.length; i++) {
        const xp = X.slice();
        const xm = X.slice();
        xp[i] += h;
        xm[i] -= h;
        expect(Math.abs((f(xp) - f(xm)) / (2 * h) - grad[i])).toBeLessThan(FD_TOL);
      }
    });
  }

  it('builds the cos/sin table in float64 (accurate at large positions)', () => {
    const f = Float64Array.of(1, 0.125);
    const pos = 131071;
    const T = ropeTable(f, pos + 1);
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(T[pos * 4 + j] - Math.cos(pos * f[j]))).toBeLessThan(1e-7);
      expect(Math.abs(T[pos * 4 + 2 + j] - Math.sin(pos * f[j]))).toBeLessThan(1e-7);
    }
  });

  it('rejects a table too short for the positions', async () => {
    const c = cases[0];
    const x = gpu.createTensor([c.rows, c.ld]);
    const table = gpu.createTensor([c.posOffset + 2, c.rotDim]);
    await expect(runOnce(gpu, (p) => ropeForward(p, 'rope', { ...c, x, table }))).rejects.toThrow(/beyond the rope table/);
  });
});
