import { describe, it, beforeAll, expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { weightGrad, columnSum } from '../../src/ops/weight-grad.ts';
import { matmul } from '../../src/ops/matmul.ts';
import { weightGradRef, columnSumRef } from '../../src/reference/weight-grad.ts';
import { matmulRef } from '../../src/reference/matmul.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { fdGradient } from '../helpers/fd.ts';
import { expectClose, relMaxError } from '../helpers/compare.ts';

// f32 sums of M products (sequential over m): error ~ sqrt(M)·eps relative to the largest output;
// 1e-5 as in matmul.test.ts (measured below 1e-6 for M <= 256 on SwiftShader). The 70000-long
// reductions measured 5e-6 (dW) and 8e-6 (db): they get 3e-5.
const TOL = 1e-5;
const TOL_LONG = 3e-5;
// The adjoint check compares two f32 computations of one scalar (see there): 1e-6 of its scale.
const TOL_ADJOINT = 1e-6;
// Float64 central differences of a linear function: only rounding, ~1e-16/h with h = 1e-6.
const TOL_FD = 1e-8;

describe('weight_grad (shaders/weight_grad.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  // [M, K, N]: M = 1, sizes off the 32 x 32 tile and the 4 x 4 register block, whole tiles, the
  // batch sizes the encoder trains with, and reductions past 65535 steps (WEBGPU.md's loop trap).
  // K and N both multiples of 4 take weight_grad_vec4, the others weight_grad (the scalar path).
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 37, 53],
    [1, 4, 8],
    [7, 13, 5],
    [16, 32, 64],
    [33, 65, 17],
    [33, 68, 36],
    [256, 100, 130],
    [256, 132, 100],
    [64, 288, 96],
    [70000, 3, 6],
    [70000, 4, 8],
  ];
  for (const [M, K, N] of shapes) {
    for (const accumulate of [false, true]) {
      it(`M=${M} K=${K} N=${N}${accumulate ? ' accumulate' : ''}`, async () => {
        const rng = new Rng(M * 7919 + K * 31 + N + (accumulate ? 1 : 0));
        const X = rng.uniformArray(M * K);
        const dY = rng.uniformArray(M * N);
        // Without accumulate C and c must be overwritten: NaN would survive a missed store or a read.
        const C0 = accumulate ? rng.uniformArray(K * N) : new Float32Array(K * N).fill(Number.NaN);
        const c0 = accumulate ? rng.uniformArray(N) : new Float32Array(N).fill(Number.NaN);
        const a = upload(gpu, [M, K], X);
        const b = upload(gpu, [M, N], dY);
        const C = upload(gpu, [K, N], C0);
        const c = upload(gpu, [N], c0);
        await runOnce(gpu, (p) => {
          weightGrad(p, 'dW', { a, b, c: C, M, K, N, accumulate });
          columnSum(p, 'db', { b, c, M, N, accumulate });
        });
        const wantC = weightGradRef(X, dY, M, K, N);
        const wantc = columnSumRef(dY, M, N);
        if (accumulate) {
          wantC.forEach((v, i) => (wantC[i] = v + C0[i]));
          wantc.forEach((v, i) => (wantc[i] = v + c0[i]));
        }
        const tol = M > 65535 ? TOL_LONG : TOL;
        expectClose(await gpu.read(C), wantC, tol, 'dW');
        expectClose(await gpu.read(c), wantc, tol, 'db');
      });
    }
  }

  // Every operand a strided, offset view: A and B inside wider buffers, C a block in the middle of
  // a larger parameter buffer whose other elements must come back bit for bit. The aligned case
  // (A's and B's sizes, strides and offsets multiples of 4) takes the vec4 path; C stays unaligned.
  const views = {
    scalar: { M: 9, K: 35, N: 21, lda: 41, ldb: 24, ldc: 32, aOffset: 5, bOffset: 2 },
    vec4: { M: 9, K: 36, N: 20, lda: 44, ldb: 24, ldc: 31, aOffset: 8, bOffset: 4 },
  };
  for (const [path, view] of Object.entries(views)) {
    for (const accumulate of [false, true]) {
      it(`${path}: strided and offset operands write only their block${accumulate ? ' (accumulate)' : ''}`, async () => {
        const { M, K, N, lda, ldb, ldc, aOffset, bOffset } = view;
        const cOffset = 3 * ldc + 7;
        const rng = new Rng(accumulate ? 12 : 11);
        const Abig = rng.uniformArray(aOffset + M * lda);
        const Bbig = rng.uniformArray(bOffset + M * ldb);
        const Cbig = rng.uniformArray(cOffset + K * ldc + 13);
        const cbig = rng.uniformArray(cOffset + N + 13);
        const a = upload(gpu, [Abig.length], Abig);
        const b = upload(gpu, [Bbig.length], Bbig);
        const C = upload(gpu, [Cbig.length], Cbig);
        const c = upload(gpu, [cbig.length], cbig);
        await runOnce(gpu, (p) => {
          weightGrad(p, 'dW', { a, b, c: C, M, K, N, lda, ldb, ldc, aOffset, bOffset, cOffset, accumulate });
          columnSum(p, 'db', { b, c, M, N, ldb, bOffset, cOffset, accumulate });
        });
        // Dense copies of the views for the references.
        const X = Float32Array.from({ length: M * K }, (_, i) => Abig[aOffset + Math.floor(i / K) * lda + (i % K)]);
        const dY = Float32Array.from({ length: M * N }, (_, i) => Bbig[bOffset + Math.floor(i / N) * ldb + (i % N)]);
        const [dW, db] = [weightGradRef(X, dY, M, K, N), columnSumRef(dY, M, N)];
        const [gotC, gotc] = [await gpu.read(C), await gpu.read(c)];
        const inBlock = new Set<number>();
        const wantC = new Float64Array(K * N);
        const blockC = new Float64Array(K * N);
        for (let k = 0; k < K; k++) {
          for (let n = 0; n < N; n++) {
            const i = cOffset + k * ldc + n;
            inBlock.add(i);
            wantC[k * N + n] = dW[k * N + n] + (accumulate ? Cbig[i] : 0);
            blockC[k * N + n] = gotC[i];
          }
        }
        expectClose(blockC, wantC, TOL, 'dW block');
        const stray = [...gotC.keys()].filter((i) => !inBlock.has(i) && !Object.is(gotC[i], Cbig[i]));
        expect(stray, 'elements of C outside the block that changed').toEqual([]);
        const wantc = Float64Array.from(db, (v, n) => v + (accumulate ? cbig[cOffset + n] : 0));
        expectClose(gotc.subarray(cOffset, cOffset + N), wantc, TOL, 'db block');
        const strayc = [...gotc.keys()].filter((i) => (i < cOffset || i >= cOffset + N) && !Object.is(gotc[i], cbig[i]));
        expect(strayc, 'elements of c outside its block that changed').toEqual([]);
      });
    }
  }

  // L(W) = Σ dY ⊙ (X·W) is linear in W, so for any direction V its exact change is
  // (L(W + V) - L(W - V)) / 2 = Σ dY ⊙ (X·V) = <∇_W L, V>. Both sides on the GPU: the left through
  // the engine's matmul (transposeB false: W [K, N]), the right through weightGrad. The first shape
  // takes both ops' scalar paths, the second their vec4 (and matmul's quad) paths.
  for (const [M, K, N] of [
    [20, 45, 70],
    [16, 64, 96],
  ] as const) {
    it(`is the gradient of sum(dY ⊙ (X·W)) as matmul computes X·W (M=${M} K=${K} N=${N})`, async () => {
      const rng = new Rng(M + K + N);
      const [X, W, dY] = [rng.uniformArray(M * K), rng.uniformArray(K * N), rng.uniformArray(M * N)];
      const Vs = [0, 1, 2].map(() => rng.uniformArray(K * N));
      const a = upload(gpu, [M, K], X);
      const dy = upload(gpu, [M, N], dY);
      const G = gpu.createTensor([K, N]);
      const shifted = Vs.flatMap((V) => [1, -1].map((s) => upload(gpu, [K, N], W.map((w, i) => w + s * V[i]))));
      const outs = shifted.map(() => gpu.createTensor([M, N]));
      await runOnce(gpu, (p) => {
        weightGrad(p, 'dW', { a, b: dy, c: G, M, K, N });
        shifted.forEach((w, i) => matmul(p, `y${i}`, { a, b: w, c: outs[i], M, N, K, transposeB: false }));
      });
      const g = await gpu.read(G);
      for (let v = 0; v < Vs.length; v++) {
        const [yp, ym] = [await gpu.read(outs[2 * v]), await gpu.read(outs[2 * v + 1])];
        let dL = 0;
        let scale = 0; // Σ |dY|·(|y+| + |y-|): what f32 rounding of the two losses is relative to
        for (let i = 0; i < M * N; i++) {
          dL += (dY[i] * (yp[i] - ym[i])) / 2;
          scale += Math.abs(dY[i]) * (Math.abs(yp[i]) + Math.abs(ym[i]));
        }
        const inner = g.reduce((s, gi, i) => s + gi * Vs[v][i], 0);
        expect(Math.abs(inner - dL) / scale, `<dW, V> = ${inner} against dL = ${dL}`).toBeLessThanOrEqual(TOL_ADJOINT);
      }
    });
  }

  it('M = 0 is an empty sum: zeros, or C unchanged with accumulate', async () => {
    const [K, N] = [5, 6];
    const C0 = new Rng(5).uniformArray(K * N);
    const [C, Cacc, c] = [upload(gpu, [K, N], new Float32Array(K * N).fill(Number.NaN)), upload(gpu, [K, N], C0), upload(gpu, [N], new Float32Array(N).fill(Number.NaN))];
    const none = gpu.createTensor([1]);
    await runOnce(gpu, (p) => {
      weightGrad(p, 'dW', { a: none, b: none, c: C, M: 0, K, N });
      weightGrad(p, 'dW.acc', { a: none, b: none, c: Cacc, M: 0, K, N, accumulate: true });
      columnSum(p, 'db', { b: none, c, M: 0, N });
    });
    expect(Array.from(await gpu.read(C))).toEqual(new Array(K * N).fill(0));
    expect(Array.from(await gpu.read(Cacc))).toEqual(Array.from(C0));
    expect(Array.from(await gpu.read(c))).toEqual(new Array(N).fill(0));
  });

  it('refuses operands too small for their views, naming the op and the size', async () => {
    const t = (n: number) => gpu.createTensor([n]);
    const rec = async (f: Parameters<typeof runOnce>[1]) => {
      let err: unknown = null;
      try {
        await runOnce(gpu, f);
      } catch (e) {
        err = e;
      }
      return String(err);
    };
    // C [4, 5] at offset 1 needs 21 elements.
    expect(await rec((p) => weightGrad(p, 'dW', { a: t(12), b: t(15), c: t(20), M: 3, K: 4, N: 5, cOffset: 1 }))).toMatch(/weightGrad dW: C .* fewer than the 21 elements/);
    expect(await rec((p) => weightGrad(p, 'dW', { a: t(11), b: t(15), c: t(20), M: 3, K: 4, N: 5 }))).toMatch(/weightGrad dW: A .* fewer than the 12 elements/);
    expect(await rec((p) => weightGrad(p, 'dW', { a: t(12), b: t(15), c: t(20), M: 3, K: 4, N: 5, ldb: 4 }))).toMatch(/weightGrad dW: B row stride 4 is less than its 5 columns/);
    expect(await rec((p) => columnSum(p, 'db', { b: t(15), c: t(5), M: 3, N: 5, cOffset: 1 }))).toMatch(/columnSum db: C .* fewer than the 6 elements/);
    expect(await rec((p) => columnSum(p, 'db', { b: t(15), c: t(5), M: 3.5, N: 5 }))).toMatch(/columnSum db: B rows=3.5/);
  });

  describe('float64 references', () => {
    it('are the gradients of sum(dY ⊙ (X·W + b)) with respect to W and b', () => {
      const [M, K, N] = [4, 6, 5];
      const rng = new Rng(3);
      const [X, W, b, dY] = [rng.normalArray(M * K), rng.normalArray(K * N), rng.normalArray(N), rng.normalArray(M * N)];
      const fdW = fdGradient((w) => matmulRef(X, w, M, N, K, false, b), Float64Array.from(W), dY);
      expect(relMaxError(weightGradRef(X, dY, M, K, N), fdW)).toBeLessThanOrEqual(TOL_FD);
      const fdb = fdGradient((bb) => matmulRef(X, W, M, N, K, false, bb), Float64Array.from(b), dY);
      expect(relMaxError(columnSumRef(dY, M, N), fdb)).toBeLessThanOrEqual(TOL_FD);
    });
  });
});
