import { describe, it, beforeAll, afterEach, expect } from 'vitest';
import { Gpu } from '../../src/gpu/gpu.ts';
import { Program } from '../../src/gpu/program.ts';
import { rmsnormForward, rmsnormBackward, layernormForward, layernormBackward, normWorkgroupSize, normKernel, setNormKernel, type NormKernel } from '../../src/ops/norm.ts';
import {
  rmsnormRef,
  rmsnormBackwardRef,
  layernormRef,
  layernormBackwardRef,
  gatherRowsRef,
  scatterRowsRef,
  rmsnormViewRef,
  rmsnormViewBackwardRef,
} from '../../src/reference/norm.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { fdGradient } from '../helpers/fd.ts';
import { expectClose, relMaxError } from '../helpers/compare.ts';

// f32 row reductions over up to 4099 terms plus one rsqrt: measured <= 1.8e-7 relative, 5x headroom.
const TOL_FWD = 1e-6;
// The one-invocation-per-row kernels sum serially: rounding grows ~sqrt(dim)·eps (2e-6 at dim 4099; measured
// up to 1.8e-6 forward and 1.1e-6 backward). Used for their forward and backward.
const TOL_FWD_SERIAL = 3e-6;
// The backward subtracts the projection of g onto x (or x̂) from g; at dim >= 7 that costs little (measured <= 1.8e-7).
const TOL_BWD = 1e-6;
// dim 1 is the worst case of that cancellation: dx ∝ 1 - x²r² = eps·r², so f32 keeps only ~log10(x²/eps) digits (measured 1.5e-4).
const TOL_BWD_DIM1 = 1e-3;
// Float64 central differences with h = 1e-6 on O(1) data: truncation ~h², rounding ~1e-16/h.
const TOL_FD = 1e-7;
// A large eps in the FD checks keeps eps's own term in the gradient well above the FD noise.
const EPS_FD = 0.05;

const EPS = 1e-5;
const DIMS = [1, 7, 64, 4099];
const ROWS = [1, 2, 33];

function data(rows: number, dim: number, seed: number) {
  const rng = new Rng(seed);
  // A per-row offset makes LayerNorm's mean large against its spread (the two-pass case).
  const x = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const off = 4 * (rng.next() - 0.5);
    for (let j = 0; j < dim; j++) x[r * dim + j] = off + rng.normal();
  }
  return { x, w: rng.uniformArray(dim, 0.5, 1.5), b: rng.uniformArray(dim), dy: rng.normalArray(rows * dim), dx0: rng.normalArray(rows * dim) };
}

describe('norm (shaders/norm.wgsl) against float64', () => {
  // The wrapper picks workgroup sizes per adapter; a second handle on the same device that claims
  // to be a hardware GPU runs the hardware sizes (64-256 lanes) here too.
  const gpus: Record<'cpu-tuned' | 'gpu-tuned', Gpu> = {} as Record<'cpu-tuned' | 'gpu-tuned', Gpu>;
  beforeAll(async () => {
    const g = await testGpu();
    gpus['cpu-tuned'] = g;
    gpus['gpu-tuned'] = new Gpu(g.device, { ...g.info, isFallbackAdapter: false, architecture: 'test', device: '', description: '' }, g.limits, g.features);
  });

  it('picks a row per invocation on CPU emulators, small trees for very wide rows, and wide trees on GPUs', () => {
    expect(DIMS.map((d) => normKernel(gpus['cpu-tuned'].info, d))).toEqual(['rows', 'rows', 'rows', 'tree']);
    expect(DIMS.map((d) => normWorkgroupSize(gpus['cpu-tuned'].info, d))).toEqual([4, 4, 4, 16]);
    expect(DIMS.map((d) => normKernel(gpus['gpu-tuned'].info, d))).toEqual(['tree', 'tree', 'tree', 'tree']);
    expect(DIMS.map((d) => normWorkgroupSize(gpus['gpu-tuned'].info, d))).toEqual([64, 64, 64, 256]);
  });

  // Each adapter's own choice, plus both kernels forced on the CPU-tuned handle.
  const forced: Record<string, NormKernel | null> = { 'cpu-tuned': null, 'gpu-tuned': null, 'cpu-rows': 'rows', 'cpu-tree': 'tree' };
  afterEach(() => setNormKernel(null));
  for (const variant of ['cpu-tuned', 'gpu-tuned', 'cpu-rows', 'cpu-tree'] as const) {
    const tuning = variant === 'gpu-tuned' ? 'gpu-tuned' : 'cpu-tuned';
    for (const dim of DIMS) {
      for (const rows of ROWS) {
        it(`rmsnorm ${variant} rows=${rows} dim=${dim}`, async () => {
          setNormKernel(forced[variant]);
          const fwdTol = variant === 'gpu-tuned' || variant === 'cpu-tree' ? TOL_FWD : TOL_FWD_SERIAL;
          const gpu = gpus[tuning];
          const d = data(rows, dim, rows * 7919 + dim);
          const x = upload(gpu, [rows, dim], d.x);
          const w = upload(gpu, [dim], d.w);
          const dy = upload(gpu, [rows, dim], d.dy);
          const y = gpu.createTensor([rows, dim]);
          const rstd = gpu.createTensor([rows]);
          const dx = gpu.createTensor([rows, dim]);
          const dxAcc = upload(gpu, [rows, dim], d.dx0);
          await runOnce(gpu, (p) => {
            rmsnormForward(p, 'fwd', { x, w, y, rstd, rows, dim, eps: EPS });
            rmsnormBackward(p, 'bwd', { x, w, rstd, dy, dx, rows, dim, accumulate: false });
            rmsnormBackward(p, 'bwd+', { x, w, rstd, dy, dx: dxAcc, rows, dim, accumulate: true });
          });
          const ref = rmsnormRef(d.x, d.w, rows, dim, EPS);
          expectClose(await gpu.read(y), ref.y, fwdTol, 'y');
          expectClose(await gpu.read(rstd), ref.rstd, fwdTol, 'rstd');
          const want = rmsnormBackwardRef(d.x, d.w, d.dy, rows, dim, EPS);
          const tol = dim === 1 ? TOL_BWD_DIM1 : Math.max(TOL_BWD, fwdTol);
          expectClose(await gpu.read(dx), want, tol, 'dx');
          expectClose(await gpu.read(dxAcc), want.map((v, i) => v + d.dx0[i]), tol, 'dx accumulated');
        });

        it(`layernorm ${variant} rows=${rows} dim=${dim}`, async () => {
          setNormKernel(forced[variant]);
          const fwdTol = variant === 'gpu-tuned' || variant === 'cpu-tree' ? TOL_FWD : TOL_FWD_SERIAL;
          const gpu = gpus[tuning];
          const d = data(rows, dim, rows * 104729 + dim);
          const x = upload(gpu, [rows, dim], d.x);
          const w = upload(gpu, [dim], d.w);
          const b = upload(gpu, [dim], d.b);
          const dy = upload(gpu, [rows, dim], d.dy);
          const y = gpu.createTensor([rows, dim]);
          const mean = gpu.createTensor([rows]);
          const rstd = gpu.createTensor([rows]);
          const dx = gpu.createTensor([rows, dim]);
          const dxAcc = upload(gpu, [rows, dim], d.dx0);
          await runOnce(gpu, (p) => {
            layernormForward(p, 'fwd', { x, w, b, y, mean, rstd, rows, dim, eps: EPS });
            layernormBackward(p, 'bwd', { x, w, mean, rstd, dy, dx, rows, dim, accumulate: false });
            layernormBackward(p, 'bwd+', { x, w, mean, rstd, dy, dx: dxAcc, rows, dim, accumulate: true });
          });
          const ref = layernormRef(d.x, d.w, d.b, rows, dim, EPS);
          expectClose(await gpu.read(y), ref.y, fwdTol, 'y');
          expectClose(await gpu.read(mean), ref.mean, fwdTol, 'mean');
          // dim 1: variance is exactly 0 and rstd = 1/sqrt(eps) in both.
          expectClose(await gpu.read(rstd), ref.rstd, fwdTol, 'rstd');
          const want = layernormBackwardRef(d.x, d.w, d.dy, rows, dim, EPS);
          expectClose(await gpu.read(dx), want, TOL_BWD, 'dx');
          expectClose(await gpu.read(dxAcc), want.map((v, i) => v + d.dx0[i]), TOL_BWD, 'dx accumulated');
        });
      }
    }
  }

  it('uses a 2-D grid when rows exceed 65535 workgroups', async () => {
    const gpu = gpus['cpu-tuned'];
    const [rows, dim] = [65537, 64];
    const d = data(rows, dim, 5);
    const x = upload(gpu, [rows, dim], d.x);
    const w = upload(gpu, [dim], d.w);
    const b = upload(gpu, [dim], d.b);
    const y = gpu.createTensor([rows, dim]);
    const mean = gpu.createTensor([rows]);
    const rstd = gpu.createTensor([rows]);
    const dy = upload(gpu, [rows, dim], d.dy);
    const yRms = gpu.createTensor([rows, dim]);
    const rstdRms = gpu.createTensor([rows]);
    const dx = gpu.createTensor([rows, dim]);
    await runOnce(gpu, (p) => {
      layernormForward(p, 'ln', { x, w, b, y, mean, rstd, rows, dim, eps: EPS });
      rmsnormForward(p, 'rms', { x, w, y: yRms, rstd: rstdRms, rows, dim, eps: EPS });
      rmsnormBackward(p, 'rms.back', { x, w, rstd: rstdRms, dy, dx, rows, dim, accumulate: false });
    });
    const ref = layernormRef(d.x, d.w, d.b, rows, dim, EPS);
    expectClose(await gpu.read(y), ref.y, TOL_FWD, 'layernorm y');
    expectClose(await gpu.read(rstd), ref.rstd, TOL_FWD, 'layernorm rstd');
    expectClose(await gpu.read(yRms), rmsnormRef(d.x, d.w, rows, dim, EPS).y, TOL_FWD, 'rmsnorm y');
    expectClose(await gpu.read(dx), rmsnormBackwardRef(d.x, d.w, d.dy, rows, dim, EPS), TOL_BWD, 'rmsnorm dx');
  });

  // Per-head norms (Qwen3's q_norm / k_norm) over a strided view of a fused [R, (H + 2·Hkv)·hd]
  // buffer: the q heads (heads = H, column 0) and the k heads (heads = Hkv, column H·hd). Elements
  // outside the view must keep what the output buffer held.
  describe('rmsnorm over a strided rows view (per-head norms of q | k | v)', () => {
    const R = 5;
    const [H, Hkv] = [4, 2];
    for (const variant of ['cpu-tuned', 'gpu-tuned', 'cpu-rows', 'cpu-tree'] as const) {
      for (const hd of [1, 24, 128]) {
        const ld = (H + 2 * Hkv) * hd;
        for (const [which, heads, colOffset] of [['q', H, 0], ['k', Hkv, H * hd]] as const) {
          it(`${variant} ${which} heads hd=${hd}`, async () => {
            setNormKernel(forced[variant]);
            const fwdTol = variant === 'gpu-tuned' || variant === 'cpu-tree' ? TOL_FWD : TOL_FWD_SERIAL;
            const gpu = gpus[variant === 'gpu-tuned' ? 'gpu-tuned' : 'cpu-tuned'];
            const rows = R * heads;
            const view = { ld, colOffset, heads };
            const d = data(R, ld, 31 * hd + heads);
            const rng = new Rng(hd + heads);
            const w = rng.uniformArray(hd, 0.5, 1.5);
            const y0 = rng.normalArray(R * ld);
            const x = upload(gpu, [R, ld], d.x);
            const wt = upload(gpu, [hd], w);
            const dy = upload(gpu, [R, ld], d.dy);
            const y = upload(gpu, [R, ld], y0);
            const rstd = gpu.createTensor([rows]);
            const dx = upload(gpu, [R, ld], y0);
            const dxAcc = upload(gpu, [R, ld], d.dx0);
            await runOnce(gpu, (p) => {
              rmsnormForward(p, 'fwd', { x, w: wt, y, rstd, rows, dim: hd, eps: EPS, view });
              rmsnormBackward(p, 'bwd', { x, w: wt, rstd, dy, dx, rows, dim: hd, accumulate: false, view });
              rmsnormBackward(p, 'bwd+', { x, w: wt, rstd, dy, dx: dxAcc, rows, dim: hd, accumulate: true, view });
            });
            const xs = gatherRowsRef(d.x, rows, hd, view);
            const ref = rmsnormRef(xs, w, rows, hd, EPS);
            expectClose(await gpu.read(y), scatterRowsRef(Float64Array.from(y0), ref.y, rows, hd, view), fwdTol, 'y');
            expectClose(await gpu.read(rstd), ref.rstd, fwdTol, 'rstd');
            const g = rmsnormBackwardRef(xs, w, gatherRowsRef(d.dy, rows, hd, view), rows, hd, EPS);
            const tol = hd === 1 ? TOL_BWD_DIM1 : Math.max(TOL_BWD, fwdTol);
            expectClose(await gpu.read(dx), scatterRowsRef(Float64Array.from(y0), g, rows, hd, view), tol, 'dx');
            const dx0 = gatherRowsRef(d.dx0, rows, hd, view);
            const acc = g.map((v, i) => v + dx0[i]);
            expectClose(await gpu.read(dxAcc), scatterRowsRef(Float64Array.from(d.dx0), acc, rows, hd, view), tol, 'dx accumulated');
          });
        }
      }
    }

    it('refuses a view that does not fit its row stride', () => {
      const gpu = gpus['cpu-tuned'];
      const t = gpu.createTensor([4, 8]);
      const r = gpu.createTensor([8]);
      const p = new Program(gpu, 'bad');
      expect(() => rmsnormForward(p, 'bad', { x: t, w: t, y: t, rstd: r, rows: 8, dim: 4, eps: EPS, view: { ld: 8, colOffset: 4, heads: 2 } })).toThrow(/bad: bad rows view ld=8 colOffset=4 heads=2/);
      p.destroy();
    });
  });

  describe('float64 backward against central differences of the float64 forward', () => {
    // The per-head view: the map x -> (x outside the view, RMSNorm of each head inside it).
    for (const [which, heads, colOffset] of [['q', 4, 0], ['k', 2, 4 * 7]] as const) {
      it(`rmsnorm over the ${which} heads of q | k | v (hd 7)`, () => {
        const [R, hd] = [3, 7];
        const view = { ld: 8 * hd, colOffset, heads };
        const d = data(R, view.ld, 17 + heads);
        const w = new Rng(5).uniformArray(hd, 0.5, 1.5);
        const fd = fdGradient((xx) => rmsnormViewRef(xx, w, R * heads, hd, EPS_FD, view).y, Float64Array.from(d.x), d.dy);
        expect(relMaxError(rmsnormViewBackwardRef(d.x, w, d.dy, R * heads, hd, EPS_FD, view), fd)).toBeLessThanOrEqual(TOL_FD);
      });
    }

    for (const dim of [1, 7, 64, 4099]) {
      const rows = dim === 4099 ? 1 : 3;
      it(`rmsnorm rows=${rows} dim=${dim}`, () => {
        const d = data(rows, dim, 11 + dim);
        const fd = fdGradient((xx) => rmsnormRef(xx, d.w, rows, dim, EPS_FD).y, Float64Array.from(d.x), d.dy);
        expect(relMaxError(rmsnormBackwardRef(d.x, d.w, d.dy, rows, dim, EPS_FD), fd)).toBeLessThanOrEqual(TOL_FD);
      });
      it(`layernorm rows=${rows} dim=${dim}`, () => {
        const d = data(rows, dim, 13 + dim);
        const fd = fdGradient((xx) => layernormRef(xx, d.w, d.b, rows, dim, EPS_FD).y, Float64Array.from(d.x), d.dy);
        const got = layernormBackwardRef(d.x, d.w, d.dy, rows, dim, EPS_FD);
        // dim 1: the output is b whatever x is, so both gradients are (numerically) zero.
        if (dim === 1) for (const v of [...got, ...fd]) expect(Math.abs(v)).toBeLessThan(1e-9);
        else expect(relMaxError(got, fd)).toBeLessThanOrEqual(TOL_FD);
      });
    }
  });
});
