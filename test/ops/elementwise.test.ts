import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { add, addInPlace, scale } from '../../src/ops/elementwise.ts';
import { addRef, addBackwardRef, scaleRef, scaleBackwardRef } from '../../src/reference/elementwise.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { expectClose } from '../helpers/compare.ts';

// WGSL makes f32 + and × correctly rounded, so each result must equal the float64 one rounded to f32.
const TOL = 0;
// Float64 central differences of linear maps: only rounding, ~1e-16/h with h = 1e-3.
const TOL_FD = 1e-10;

function rounded(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]);
  return x;
}

describe('elementwise (shaders/elementwise.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  // n = 1, one not a multiple of the workgroup, and past 65535·256 (the 2-D grid).
  for (const n of [1, 1000, 65535 * 256 + 77]) {
    it(`add, addInPlace and scale n=${n}`, async () => {
      const rng = new Rng(n);
      const as = rng.uniformArray(n);
      const bs = rng.uniformArray(n);
      const s = Math.fround(-0.37); // the kernel receives s as an f32
      const a = upload(gpu, [n], as);
      const b = upload(gpu, [n], bs);
      const out = gpu.createTensor([n]);
      const scaled = gpu.createTensor([n]);
      await runOnce(gpu, (p) => {
        add(p, 'add', { a, b, out, n });
        scale(p, 'scale', { src: a, dst: scaled, n, s });
        addInPlace(p, 'acc', { dst: a, src: b, n }); // after the reads of a above
      });
      const sum = rounded(addRef(as, bs));
      expectClose(await gpu.read(out), sum, TOL, 'add');
      expectClose(await gpu.read(a), sum, TOL, 'addInPlace');
      expectClose(await gpu.read(scaled), rounded(scaleRef(as, s)), TOL, 'scale');
    });
  }

  it('leaves elements past n untouched', async () => {
    const [n, len] = [300, 520];
    const dst = upload(gpu, [len], new Float32Array(len).fill(5));
    const src = upload(gpu, [len], new Float32Array(len).fill(1));
    await runOnce(gpu, (p) => addInPlace(p, 'acc', { dst, src, n }));
    const got = await gpu.read(dst);
    expect(got.slice(0, n).every((v) => v === 6)).toBe(true);
    expect(got.slice(n).every((v) => v === 5)).toBe(true);
  });

  it('float64 backward matches central differences', () => {
    const rng = new Rng(1);
    const [x, y, dout] = [rng.uniformArray(50), rng.uniformArray(50), rng.normalArray(50)];
    const s = 1.7;
    const h = 1e-3;
    // Elementwise maps: one pair of shifted evaluations per argument gives every partial.
    const fd = (f: (v: number, i: number) => number): Float64Array => Float64Array.from(x, (v, i) => (dout[i] * (f(v + h, i) - f(v - h, i))) / (2 * h));
    const { da, db } = addBackwardRef(dout);
    const fdA = fd((v, i) => addRef([v], [y[i]])[0]);
    const fdB = Float64Array.from(y, (v, i) => (dout[i] * (addRef([x[i]], [v + h])[0] - addRef([x[i]], [v - h])[0])) / (2 * h));
    const fdS = fd((v) => scaleRef([v], s)[0]);
    for (const [got, want] of [
      [da, fdA],
      [db, fdB],
      [scaleBackwardRef(dout, s), fdS],
    ]) {
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(TOL_FD * Math.max(1, Math.abs(want[i])));
    }
  });
});
