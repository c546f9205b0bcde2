import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { embeddingBackward, embeddingForward } from '../../src/ops/embedding.ts';
import { NONE, embeddingBackwardRef, embeddingForwardRef } from '../../src/reference/embedding.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { relMaxError } from '../helpers/compare.ts';

// The forward is a copy (times a scale): bit exact.
const FWD_TOL = 0;
// The backward sums a few f32 terms per table element.
const BWD_TOL = 1e-6;

/** Splits rows [0, V) into chunks of at most `size` rows: [rowStart, chunkRows]. */
function chunks(V: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < V; s += size) out.push([s, Math.min(size, V - s)]);
  return out;
}

function randomIds(rng: Rng, rows: number, V: number, noneEvery: number): Uint32Array {
  const ids = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) ids[r] = r % noneEvery === noneEvery - 1 ? NONE : rng.int(V);
  return ids;
}

describe('embedding (shaders/embedding.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  async function run(ids: Uint32Array, table: Float32Array, out0: Float32Array, dout: Float32Array, V: number, dim: number, chunkSize: number, scale = 1) {
    const rows = ids.length;
    const idsT = upload(gpu, [rows], ids, 'ids', 'u32');
    const out = upload(gpu, [rows, dim], out0, 'out');
    const doutT = upload(gpu, [rows, dim], dout, 'dout');
    const parts = chunks(V, chunkSize).map(([rowStart, chunkRows]) => ({
      rowStart,
      chunkRows,
      table: upload(gpu, [chunkRows, dim], table.subarray(rowStart * dim, (rowStart + chunkRows) * dim), 'table'),
      // Non-zero start: the backward accumulates.
      dtable: upload(gpu, [chunkRows, dim], table.subarray(rowStart * dim, (rowStart + chunkRows) * dim), 'dtable'),
    }));
    await runOnce(gpu, (p) => {
      for (const c of parts) {
        embeddingForward(p, 'emb', { ids: idsT, table: c.table, rowStart: c.rowStart, chunkRows: c.chunkRows, out, rows, dim, scale });
        embeddingBackward(p, 'demb', { ids: idsT, dout: doutT, dtable: c.dtable, rowStart: c.rowStart, chunkRows: c.chunkRows, rows, dim, scale });
      }
    });
    const dtable = new Float32Array(V * dim);
    for (const c of parts) dtable.set(await gpu.read(c.dtable), c.rowStart * dim);
    return { out: await gpu.read(out), dtable };
  }

  function expected(ids: Uint32Array, table: Float32Array, out0: Float32Array, dout: Float32Array, V: number, dim: number, scale = 1) {
    const d = embeddingBackwardRef(ids, dout, V, dim, scale);
    for (let i = 0; i < d.length; i++) d[i] += table[i];
    return { out: embeddingForwardRef(ids, table, out0, dim, scale), dtable: d };
  }

  // Gemma scales token embeddings by sqrt(hidden) as it looks them up: sqrt(640) is not a power of two.
  const GEMMA_270M_SCALE = Math.fround(Math.sqrt(640));
  const shapes: [string, number, number, number, number, number][] = [
    // name, rows, V, dim, chunk rows, scale
    ['one chunk', 9, 5, 3, 5, 1],
    ['three chunks, last one short', 37, 23, 5, 10, 1],
    ['more threads than one workgroup', 300, 700, 17, 256, 1],
    ['scaled by sqrt(640), three chunks', 37, 23, 5, 10, GEMMA_270M_SCALE],
  ];
  for (const [name, rows, V, dim, chunkSize, scale] of shapes) {
    it(`forward and backward: ${name} (rows=${rows} V=${V} dim=${dim})`, async () => {
      const rng = new Rng(rows * 7 + V);
      const ids = randomIds(rng, rows, V, 4);
      const table = rng.uniformArray(V * dim);
      const out0 = rng.uniformArray(rows * dim);
      const dout = rng.uniformArray(rows * dim);
      const got = await run(ids, table, out0, dout, V, dim, chunkSize, scale);
      const want = expected(ids, table, out0, dout, V, dim, scale);
      // One f32 product per element: the float64 product of two f32 values rounded once.
      expect(relMaxError(got.out, want.out.map(Math.fround))).toBeLessThanOrEqual(FWD_TOL);
      expect(relMaxError(got.dtable, want.dtable)).toBeLessThanOrEqual(BWD_TOL);
    });
  }

  it('backward loops over 70000 rows (emulators that cut long loops)', async () => {
    const [rows, V, dim] = [70000, 5, 2];
    const rng = new Rng(3);
    const ids = randomIds(rng, rows, V, 9);
    const table = new Float32Array(V * dim);
    const out0 = new Float32Array(rows * dim);
    // Multiples of 1/8 in [-4, 4]: every partial sum is exact in f32, so the check is exact too.
    const dout = Float32Array.from({ length: rows * dim }, () => (rng.int(65) - 32) / 8);
    const got = await run(ids, table, out0, dout, V, dim, 3);
    const want = expected(ids, table, out0, dout, V, dim);
    expect(relMaxError(got.dtable, want.dtable)).toBe(0);
    expect(relMaxError(got.out, want.out)).toBe(0);
  });

  it('reference backward matches central differences of the reference forward', () => {
    const [rows, V, dim] = [11, 4, 3];
    const rng = new Rng(11);
    const ids = randomIds(rng, rows, V, 5);
    const table = Float64Array.from(rng.uniformArray(V * dim));
    const out0 = rng.uniformArray(rows * dim);
    const w = rng.uniformArray(rows * dim);
    const scale = 2.5;
    const f = (t: Float64Array): number => embeddingForwardRef(ids, t, out0, dim, scale).reduce((s, y, i) => s + y * w[i], 0);
    const grad = embeddingBackwardRef(ids, w, V, dim, scale);
    const h = 1e-3;
    for (let i = 0; i < table.length; i++) {
      const tp = table.slice();
      const tm = table.slice();
      tp[i] += h;
      tm[i] -= h;
      // Linear in the table: float64 central differences are exact up to rounding.
      expect(Math.abs((f(tp) - f(tm)) / (2 * h) - grad[i])).toBeLessThan(1e-9);
    }
  });
});
