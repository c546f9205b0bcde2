/**
 * Every product that reads a weight, in every storage format (shaders/weights/*.wgsl), against the
 * float64 reference run on the same rounded or dequantized weights (weight-format.ts roundTrip): the
 * forward x·Wᵀ and the backward dy·W on each matmul path, the fused SwiGLU matmuls, the embedding
 * gather. The tolerances are the f32 ones of the f32 tests: storage changes the weights, never the
 * arithmetic.
 */
import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { matmul, quadOk, type MatmulPath } from '../../src/ops/matmul.ts';
import { swigluUp, swigluDownBackward } from '../../src/ops/swiglu-matmul.ts';
import { embeddingForward } from '../../src/ops/embedding.ts';
import { matmulRef } from '../../src/reference/matmul.ts';
import { swigluRef, swigluBackwardRef } from '../../src/reference/activations.ts';
import { embeddingForwardRef, NONE } from '../../src/reference/embedding.ts';
import { allocChunk, writeChunkRows, type WeightChunk } from '../../src/model/linear.ts';
import { roundTrip, WEIGHT_FORMATS, type WeightFormat } from '../../src/model/weight-format.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { expectClose } from '../helpers/compare.ts';

const TOL = 1e-5; // matmul.test.ts
const SWIGLU_TOL = 2e-5; // swiglu-matmul.test.ts

/** A [rows, cols] weight in format f on the GPU, and the values its kernels compute with. */
function weight(gpu: Gpu, f: WeightFormat, values: Float32Array, rows: number, cols: number): { w: WeightChunk; used: Float32Array } {
  const w = allocChunk((shape, label, dtype) => gpu.createTensor(shape, dtype, label), f, { rowStart: 0, rows }, cols, `w.${f}`);
  writeChunkRows(gpu, w, 0, values, cols);
  return { w, used: roundTrip(f, values, rows, cols) };
}

describe('weight formats in every kernel that reads a weight, against float64 on the stored values', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
    if (!quadOk(gpu)) throw new Error('the quad paths need SwiftShader with subgroups (the adapter tests run on)');
  });

  // [M, N, K]: stories260k's widths (64, 172: padded to 192 in q8/q4), an odd width (f16 pads to
  // even; only the scalar path takes it), and one long reduction over many groups.
  const shapes: [number, number, number][] = [
    [16, 64, 64],
    [9, 172, 64],
    [9, 64, 172],
    [5, 7, 13],
    [3, 8, 2048],
  ];
  const paths: MatmulPath[] = ['scalar', 'vec4', 'quad'];

  for (const f of WEIGHT_FORMATS) {
    for (const path of paths) {
      for (const transposeB of [true, false]) {
        for (const [M, N, K] of shapes) {
          if (path !== 'scalar' && (K % 4 !== 0 || (!transposeB && N % 4 !== 0))) continue;
          it(`${f} ${path}: ${transposeB ? 'x·Wᵀ' : 'dy·W'} M=${M} N=${N} K=${K}`, async () => {
            const rng = new Rng(M * 31 + N * 7 + K);
            const A = rng.uniformArray(M * K);
            // W as Hugging Face stores it: [out, in]. Forward: out = N, in = K; backward: out = K, in = N.
            const [rows, cols] = transposeB ? [N, K] : [K, N];
            const W = rng.uniformArray(rows * cols, -0.5, 0.5);
            const bias = rng.uniformArray(N);
            const { w, used } = weight(gpu, f, W, rows, cols);
            const a = upload(gpu, [M, K], A);
            const bi = upload(gpu, [N], bias);
            const c = gpu.createTensor([M, N]);
            await runOnce(gpu, (p) => matmul(p, 'mm', { a, b: w, ldb: w.ld, c, bias: bi, M, N, K, transposeB, path }));
            expectClose(await gpu.read(c), matmulRef(A, used, M, N, K, transposeB, bias), TOL, `${f} C`);
          });
        }
      }

      // The output layer reads vocabulary pieces at a row offset into one chunk (transformer.ts).
      it(`${f} ${path}: a block of rows at an offset (the output layer's vocabulary pieces), both products`, async () => {
        const [M, V, d, r0, n] = [6, 40, 64, 12, 20];
        const rng = new Rng(99);
        const W = rng.uniformArray(V * d, -0.5, 0.5);
        const { w, used } = weight(gpu, f, W, V, d);
        const X = rng.uniformArray(M * d);
        const x = upload(gpu, [M, d], X);
        const logits = gpu.createTensor([M, n]);
        await runOnce(gpu, (p) => matmul(p, 'lm', { a: x, b: w, bOffset: r0 * w.ld, ldb: w.ld, c: logits, M, N: n, K: d, transposeB: true, path }));
        expectClose(await gpu.read(logits), matmulRef(X, used.subarray(r0 * d, (r0 + n) * d), M, n, d, true), TOL, `${f} logits`);
        const DL = rng.uniformArray(M * n);
        const dl = upload(gpu, [M, n], DL);
        const dx = gpu.createTensor([M, d]);
        await runOnce(gpu, (p) => matmul(p, 'lm.bwd', { a: dl, b: w, bOffset: r0 * w.ld, ldb: w.ld, c: dx, M, N: d, K: n, transposeB: false, path }));
        expectClose(await gpu.read(dx), matmulRef(DL, used.subarray(r0 * d, (r0 + n) * d), M, d, n, false), TOL, `${f} dx`);
      });
    }

    for (const [M, I, K] of [
      [9, 172, 64],
      [16, 64, 128],
    ] as [number, number, number][]) {
      it(`${f}: SwiGLU fused into the up matmul and the down backward, M=${M} I=${I} K=${K}`, async () => {
        const rng = new Rng(M + I + K);
        const X = rng.uniformArray(M * K);
        const Wup = rng.uniformArray(2 * I * K, -0.3, 0.3);
        const up = weight(gpu, f, Wup, 2 * I, K);
        const x = upload(gpu, [M, K], X);
        const gu = gpu.createTensor([M, 2 * I]);
        const h = gpu.createTensor([M, I]);
        await runOnce(gpu, (p) => swigluUp(p, 'up', { x, w: up.w, ld: up.w.ld, gu, h, M, I, K }));
        const wantGu = matmulRef(X, up.used, M, 2 * I, K, true);
        expectClose(await gpu.read(gu), wantGu, SWIGLU_TOL, `${f} gu`);
        expectClose(await gpu.read(h), swigluRef(wantGu, M, I), SWIGLU_TOL, `${f} h`);

        const GU = rng.uniformArray(M * 2 * I, -3, 3);
        const DY = rng.uniformArray(M * K);
        const Wd = rng.uniformArray(K * I, -0.3, 0.3); // W_down [K, I]
        const down = weight(gpu, f, Wd, K, I);
        const dgu = gpu.createTensor([M, 2 * I]);
        await runOnce(gpu, (p) => swigluDownBackward(p, 'down.bwd', { dy: upload(gpu, [M, K], DY), wDown: down.w, ld: down.w.ld, gu: upload(gpu, [M, 2 * I], GU), dgu, M, I, K }));
        expectClose(await gpu.read(dgu), swigluBackwardRef(GU, matmulRef(DY, down.used, M, I, K, false), M, I), SWIGLU_TOL, `${f} dgu`);
      });
    }

    it(`${f}: the embedding gather reads its rows bit for bit (odd width, padded rows, NONE ids, tiny and zero weights)`, async () => {
      const [V, dim, rows] = [50, 36, 11];
      const rng = new Rng(3);
      const T = rng.uniformArray(V * dim);
      // f16 subnormals (below 6.1e-5), a zero and negative zero: the widening must keep them exactly.
      T.set([3e-6, -5e-7, 6e-8, 0, -0, 6.1e-5, -65504 / 1e5], 0);
      const { w, used } = weight(gpu, f, T, V, dim);
      const ids = Uint32Array.from({ length: rows }, (_, r) => (r === 0 ? 0 : r % 4 === 3 ? NONE : rng.int(V)));
      const out0 = rng.uniformArray(rows * dim);
      const out = upload(gpu, [rows, dim], out0);
      await runOnce(gpu, (p) => embeddingForward(p, 'emb', { ids: upload(gpu, [rows], ids, 'ids', 'u32'), table: w, ld: w.ld, rowStart: 0, chunkRows: V, out, rows, dim }));
      expect(Array.from(await gpu.read(out))).toEqual(Array.from(embeddingForwardRef(ids, used, out0, dim)).map(Math.fround));
    });
  }
});
