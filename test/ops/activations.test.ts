import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { geluForward, geluBackward, swigluForward, swigluBackward } from '../../src/ops/activations.ts';
import { geluRef, geluBackwardRef, geluTanhRef, geluTanhBackwardRef, swigluRef, swigluBackwardRef, gegluRef, gegluBackwardRef, erfRef, normalCdfRef } from '../../src/reference/activations.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { fdGradient } from '../helpers/fd.ts';
import { expectClose, relMaxError } from '../helpers/compare.ts';

// GELU pointwise: erf is within 8.5e-8 absolute, so Φ within ~4e-8, plus roundings: measured 1.0e-7·|x|.
const TOL_GELU_Y = 2e-7; // times |x|
// GELU' = Φ + xφ: Φ's error plus exp's (SwiftShader) on xφ <= 0.25: measured 1.7e-7·|dy|.
const TOL_GELU_DX = 4e-7; // times |dy|
// tanh GELU as x·σ(2u): σ from exp and a division (a few ulp), 2u's rounding moving σ by at most
// |2u|·6e-8·σ(1 - σ), then the product: measured 1.3e-7·|x| for y and 2.0e-7·|dy| for dx (SwiftShader).
const TOL_GELU_TANH_Y = 3e-7; // times |x|
const TOL_GELU_TANH_DX = 4e-7; // times |dy|
// SwiGLU: exp, a division and three products in f32 (measured 1.1e-7 relative max for h); d gate
// also passes through the cancellation in 1 + g(1 - σ(g)) near g = -1.28 (measured 3.6e-7).
const TOL_SWIGLU = 2e-6;
// Float64 central differences, h = 1e-6 on O(1)-O(10) values: truncation ~h², rounding ~1e-16/h.
const TOL_FD = 1e-7;

/** Values where GELU is hardest: ±10, near 0, and both sides of every erf branch point (|x| = √2·{1, 2.5, 4}). */
function geluInputs(n: number, seed: number): Float32Array {
  const special = [0, -0, 1e-20, -1e-20, 1e-6, -1e-6, 1e-3, -1e-3, 10, -10, 9.99, -9.99, 5.9, -5.9];
  for (const b of [1, 2.5, 4]) for (const d of [-1e-6, 0, 1e-6]) special.push(Math.SQRT2 * b + d, -Math.SQRT2 * b - d);
  const x = new Rng(seed).uniformArray(n, -10, 10);
  x.set(special.slice(0, n));
  return x;
}

describe('activations (shaders/activations.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  for (const n of [1, 100003]) {
    it(`gelu n=${n}`, async () => {
      const xs = geluInputs(n, n);
      const dys = new Rng(n + 1).normalArray(n);
      const x = upload(gpu, [n], xs);
      const dy = upload(gpu, [n], dys);
      const y = gpu.createTensor([n]);
      const dx = gpu.createTensor([n]);
      await runOnce(gpu, (p) => {
        geluForward(p, 'gelu', { x, y, n });
        geluBackward(p, 'gelu.back', { x, dy, dx, n });
      });
      const [gy, gdx] = [await gpu.read(y), await gpu.read(dx)];
      const [ry, rdx] = [geluRef(xs), geluBackwardRef(xs, dys)];
      expectClose(gy, ry, TOL_GELU_Y, 'y');
      expectClose(gdx, rdx, TOL_GELU_DX, 'dx');
      let worstY = 0;
      let worstDx = 0;
      for (let i = 0; i < n; i++) {
        if (xs[i] !== 0) worstY = Math.max(worstY, Math.abs(gy[i] - ry[i]) / Math.abs(xs[i]));
        else expect(gy[i] === 0, 'GELU(±0) = 0').toBe(true);
        worstDx = Math.max(worstDx, Math.abs(gdx[i] - rdx[i]) / Math.abs(dys[i]));
      }
      expect(worstY, 'max |y - y_ref| / |x|').toBeLessThanOrEqual(TOL_GELU_Y);
      expect(worstDx, 'max |dx - dx_ref| / |dy|').toBeLessThanOrEqual(TOL_GELU_DX);
    });
  }

  for (const n of [1, 100003]) {
    it(`gelu_tanh n=${n}`, async () => {
      const xs = geluInputs(n, n + 7);
      const dys = new Rng(n + 8).normalArray(n);
      const x = upload(gpu, [n], xs);
      const dy = upload(gpu, [n], dys);
      const y = gpu.createTensor([n]);
      const dx = upload(gpu, [n], new Float32Array(n).fill(Number.NaN)); // must be overwritten
      await runOnce(gpu, (p) => {
        geluForward(p, 'gelu_tanh', { x, y, n, tanh: true });
        geluBackward(p, 'gelu_tanh.back', { x, dy, dx, n, tanh: true });
      });
      const [gy, gdx] = [await gpu.read(y), await gpu.read(dx)];
      const [ry, rdx] = [geluTanhRef(xs), geluTanhBackwardRef(xs, dys)];
      let worstY = 0;
      let worstDx = 0;
      for (let i = 0; i < n; i++) {
        if (xs[i] !== 0) worstY = Math.max(worstY, Math.abs(gy[i] - ry[i]) / Math.abs(xs[i]));
        else expect(gy[i] === 0, 'GELU(±0) = 0').toBe(true);
        worstDx = Math.max(worstDx, Math.abs(gdx[i] - rdx[i]) / Math.abs(dys[i]));
      }
      expect(worstY, 'max |y - y_ref| / |x|').toBeLessThanOrEqual(TOL_GELU_TANH_Y);
      expect(worstDx, 'max |dx - dx_ref| / |dy|').toBeLessThanOrEqual(TOL_GELU_TANH_DX);
    });
  }

  it('gelu_tanh stays finite where x³ overflows f32', async () => {
    const xs = Float32Array.from([1e13, -1e13, 3e38, -3e38, 50, -50]);
    const n = xs.length;
    const x = upload(gpu, [n], xs);
    const dy = upload(gpu, [n], new Float32Array(n).fill(1));
    const y = gpu.createTensor([n]);
    const dx = gpu.createTensor([n]);
    await runOnce(gpu, (p) => {
      geluForward(p, 'gelu_tanh', { x, y, n, tanh: true });
      geluBackward(p, 'gelu_tanh.back', { x, dy, dx, n, tanh: true });
    });
    const [gy, gdx] = [await gpu.read(y), await gpu.read(dx)];
    for (let i = 0; i < n; i++) {
      // y = x on the right, 0 on the left; the slope 1 or 0.
      expect(gy[i] === (xs[i] > 0 ? xs[i] : 0), `y(${xs[i]}) = ${gy[i]}`).toBe(true);
      expect(gdx[i] === (xs[i] > 0 ? 1 : 0), `dx(${xs[i]}) = ${gdx[i]}`).toBe(true);
    }
  });

  it('gelu over n > 65535·256 uses the 2-D grid', async () => {
    const n = 65535 * 256 + 300;
    const xs = new Rng(3).uniformArray(n, -6, 6);
    const x = upload(gpu, [n], xs);
    const y = gpu.createTensor([n]);
    await runOnce(gpu, (p) => geluForward(p, 'gelu', { x, y, n }));
    const gy = await gpu.read(y);
    // The head and the tail (only reachable through the grid's second row) against float64.
    for (const [lo, hi] of [
      [0, 1000],
      [n - 100_000, n],
    ]) {
      expectClose(gy.subarray(lo, hi), geluRef(xs.subarray(lo, hi)), TOL_GELU_Y, `y[${lo}:${hi}]`);
    }
  });

  // The gated MLPs: SwiGLU (Llama) and GeGLU (Gemma), one kernel layout, two gate activations.
  const GATED = {
    silu: { fwd: swigluRef, bwd: swigluBackwardRef },
    gelu_tanh: { fwd: gegluRef, bwd: gegluBackwardRef },
  } as const;
  for (const [act, ref] of Object.entries(GATED) as [keyof typeof GATED, (typeof GATED)[keyof typeof GATED]][]) {
    for (const rows of [1, 3, 33]) {
      for (const inter of [1, 7, 300]) {
        it(`${act === 'silu' ? 'swiglu' : 'geglu'} rows=${rows} inter=${inter}`, async () => {
          const rng = new Rng(rows * 1000 + inter);
          const gus = rng.normalArray(rows * 2 * inter, 4);
          // Saturated gates: exp must neither overflow nor turn σ into NaN.
          [100, -100, 1e4, -1e4, 0].forEach((v, k) => {
            if (k < inter) gus[(rows - 1) * 2 * inter + k] = v;
          });
          const dhs = rng.normalArray(rows * inter);
          const gu = upload(gpu, [rows, 2 * inter], gus);
          const dh = upload(gpu, [rows, inter], dhs);
          const h = gpu.createTensor([rows, inter]);
          const dgu = upload(gpu, [rows, 2 * inter], new Float32Array(rows * 2 * inter).fill(Number.NaN)); // must be overwritten
          await runOnce(gpu, (p) => {
            swigluForward(p, 'gated', { gu, h, rows, inter, act });
            swigluBackward(p, 'gated.back', { gu, dh, dgu, rows, inter, act });
          });
          expectClose(await gpu.read(h), ref.fwd(gus, rows, inter), TOL_SWIGLU, 'h');
          expectClose(await gpu.read(dgu), ref.bwd(gus, dhs, rows, inter), TOL_SWIGLU, 'dgu');
        });
      }
    }
  }

  describe('float64 references', () => {
    it('erf and Φ match tabulated values', () => {
      // erf(0.5), erf(1), erf(2), erf(3) and Φ(-5) to 15 digits (Abramowitz & Stegun; mpmath).
      expect(erfRef(0.5)).toBeCloseTo(0.520499877813047, 14);
      expect(erfRef(1)).toBeCloseTo(0.842700792949715, 14);
      expect(erfRef(-2)).toBeCloseTo(-0.995322265018953, 14);
      expect(erfRef(3)).toBeCloseTo(0.999977909503001, 14);
      expect(Math.abs(normalCdfRef(-5) / 2.866515718791939e-7 - 1)).toBeLessThan(1e-12);
    });

    it('gelu backward matches central differences', () => {
      const xs = Float64Array.from(geluInputs(2000, 9), (v) => v * 0.8); // keep x ± h inside ±10
      const dys = new Rng(10).normalArray(xs.length);
      // GELU is elementwise, so one pair of shifted evaluations gives every partial derivative.
      const h = 1e-6;
      const [yp, ym] = [geluRef(xs.map((v) => v + h)), geluRef(xs.map((v) => v - h))];
      const fd = Float64Array.from(dys, (d, i) => (d * (yp[i] - ym[i])) / (2 * h));
      expect(relMaxError(geluBackwardRef(xs, dys), fd)).toBeLessThanOrEqual(TOL_FD);
    });

    it('tanh GELU: the stable form equals 0.5x(1 + tanh(u)) and tabulated values', () => {
      // 0.5x(1 + tanh(u)) evaluated in float64 at 1, -1, 2, -3, 0.5 (at -3 its 1 + tanh(u) = 0.0024
      // cancels: ~1e-14 relative).
      const want = [0.8411919906082768, -0.15880800939172324, 1.954597694087775, -0.0036373920817729943, 0.34571400982514394];
      const got = geluTanhRef([1, -1, 2, -3, 0.5]);
      want.forEach((w, i) => expect(Math.abs(got[i] - w) / Math.abs(w)).toBeLessThan(1e-13));
      // On [-5, 5] (no cancellation to speak of in 1 + tanh) the written-out formula agrees.
      const xs = new Rng(12).uniformArray(1000, -5, 5);
      const direct = Float64Array.from(xs, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
      expect(relMaxError(geluTanhRef(xs), direct)).toBeLessThan(1e-12);
    });

    it('tanh gelu backward matches central differences', () => {
      const xs = Float64Array.from(geluInputs(2000, 13), (v) => v * 0.8);
      const dys = new Rng(14).normalArray(xs.length);
      const h = 1e-6;
      const [yp, ym] = [geluTanhRef(xs.map((v) => v + h)), geluTanhRef(xs.map((v) => v - h))];
      const fd = Float64Array.from(dys, (d, i) => (d * (yp[i] - ym[i])) / (2 * h));
      expect(relMaxError(geluTanhBackwardRef(xs, dys), fd)).toBeLessThanOrEqual(TOL_FD);
    });

    it('swiglu backward matches central differences', () => {
      const [rows, inter] = [3, 5];
      const rng = new Rng(11);
      const gus = rng.normalArray(rows * 2 * inter, 3);
      const dhs = rng.normalArray(rows * inter);
      const fd = fdGradient((gu) => swigluRef(gu, rows, inter), Float64Array.from(gus), dhs);
      expect(relMaxError(swigluBackwardRef(gus, dhs, rows, inter), fd)).toBeLessThanOrEqual(TOL_FD);
    });

    it('geglu backward matches central differences', () => {
      const [rows, inter] = [3, 5];
      const rng = new Rng(15);
      const gus = rng.normalArray(rows * 2 * inter, 3);
      const dhs = rng.normalArray(rows * inter);
      const fd = fdGradient((gu) => gegluRef(gu, rows, inter), Float64Array.from(gus), dhs);
      expect(relMaxError(gegluBackwardRef(gus, dhs, rows, inter), fd)).toBeLessThanOrEqual(TOL_FD);
    });
  });
});
