import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { invertIndex, layoutBackward, layoutForward } from '../../src/ops/layout.ts';
import { NONE, layoutBackwardRef, layoutForwardRef } from '../../src/reference/layout.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { relMaxError } from '../helpers/compare.ts';

// The forward is a copy: bit exact.
const FWD_TOL = 0;
// Each dparams element is an f32 sum of at most a few dozen terms here.
const BWD_TOL = 1e-6;

/** B sequences of N rows: [e_b, m, m, ..., m] with a NONE row at position `noneAt` of each. */
function protoIndex(B: number, N: number, noneAt: number): Uint32Array {
  const index = new Uint32Array(B * N);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) index[b * N + i] = i === noneAt ? NONE : i === 0 ? b : B;
  }
  return index;
}

describe('layout (shaders/layout.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  async function check(index: Uint32Array, P: number, dim: number, seed: number, bwdTol: number, values = (r: Rng, n: number) => r.uniformArray(n)) {
    const rows = index.length;
    const rng = new Rng(seed);
    const params = values(rng, P * dim);
    const out0 = values(rng, rows * dim);
    const dout = values(rng, rows * dim);
    const { offsets, rowsOf } = invertIndex(index, P);
    const paramsT = upload(gpu, [P, dim], params);
    const indexT = upload(gpu, [rows], index, 'index', 'u32');
    const out = upload(gpu, [rows, dim], out0);
    const doutT = upload(gpu, [rows, dim], dout);
    const offsetsT = upload(gpu, [P + 1], offsets, 'offsets', 'u32');
    const rowsOfT = upload(gpu, [rows], rowsOf, 'rowsOf', 'u32');
    // Starts non-zero: the backward must overwrite, not accumulate.
    const dparams = upload(gpu, [P, dim], values(rng, P * dim));
    await runOnce(gpu, (p) => {
      layoutForward(p, 'layout', { params: paramsT, index: indexT, out, rows, dim });
      layoutBackward(p, 'dlayout', { dout: doutT, offsets: offsetsT, rowsOf: rowsOfT, dparams, P, dim });
    });
    expect(relMaxError(await gpu.read(out), layoutForwardRef(params, index, out0, dim))).toBeLessThanOrEqual(FWD_TOL);
    expect(relMaxError(await gpu.read(dparams), layoutBackwardRef(dout, index, P, dim))).toBeLessThanOrEqual(bwdTol);
  }

  it('P=3: two texts [e_b, m x (N-1)] sharing m, NONE rows untouched', async () => {
    await check(protoIndex(2, 7, 3), 3, 5, 1, BWD_TOL);
  });

  it('P=3 with dim wider than a workgroup and a shuffled index', async () => {
    const rng = new Rng(8);
    const index = Uint32Array.from({ length: 40 }, (_, r) => (r % 6 === 5 ? NONE : rng.int(3)));
    await check(index, 3, 300, 2, BWD_TOL);
  });

  it('a params row no input row uses gets a zero gradient', async () => {
    const index = Uint32Array.of(0, 2, 2, NONE, 0, 2);
    await check(index, 4, 3, 3, BWD_TOL);
  });

  it('backward sums a group of 70000 rows (emulators that cut long loops)', async () => {
    // Multiples of 1/8 in [-4, 4]: every partial sum is exact in f32, so the check is exact too.
    const eighths = (r: Rng, n: number) => Float32Array.from({ length: n }, () => (r.int(65) - 32) / 8);
    await check(protoIndex(1, 70000, 1), 2, 2, 4, 0, eighths);
  });

  it('invertIndex groups rows by params row in increasing order', () => {
    const { offsets, rowsOf } = invertIndex(Uint32Array.of(1, NONE, 0, 1, 1, 0), 3);
    expect([...offsets]).toEqual([0, 2, 5, 5]);
    expect([...rowsOf]).toEqual([2, 5, 0, 3, 4, NONE]);
    expect(() => invertIndex(Uint32Array.of(0, 3), 3)).toThrow(/not a params row/);
  });

  it('reference backward matches central differences of the reference forward', () => {
    const [P, dim] = [3, 4];
    const index = protoIndex(2, 5, 2);
    const rng = new Rng(5);
    const params = Float64Array.from(rng.uniformArray(P * dim));
    const out0 = rng.uniformArray(index.length * dim);
    const w = rng.uniformArray(index.length * dim);
    const f = (x: Float64Array): number => layoutForwardRef(x, index, out0, dim).reduce((s, y, i) => s + y * w[i], 0);
    const grad = layoutBackwardRef(w, index, P, dim);
    const h = 1e-3;
    for (let i = 0; i < params.length; i++) {
      const xp = params.slice();
      const xm = params.slice();
      xp[i] += h;
      xm[i] -= h;
      // Linear in params: float64 central differences are exact up to rounding.
      expect(Math.abs((f(xp) - f(xm)) / (2 * h) - grad[i])).toBeLessThan(1e-9);
    }
  });
});
