import { describe, it, beforeAll, expect } from 'vitest';
import { Gpu } from '../../src/gpu/gpu.ts';
import { ceChunkBackward, ceChunkForward, ceChunkVec4, ceFinalize, ceReduce, ceReset } from '../../src/ops/cross-entropy.ts';
import { NONE, crossEntropyReduceRef, crossEntropyRef } from '../../src/reference/cross-entropy.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { relMaxError } from '../helpers/compare.ts';

// f32 logsumexp over up to 50k terms (each thread sums ~200, then an 8-level tree): ~1e-6 relative.
const LOSS_TOL = 1e-5;
// softmax - onehot in f32, measured against the largest gradient entry (about 1, at the target).
const GRAD_TOL = 1e-6;
// Sums of N such losses.
const ITEM_TOL = 1e-5;

/**
 * Columns of padding right of each chunk, so the row stride ldl differs from vc. 3 keeps rows off
 * vec4 alignment (the scalar kernels); 4 with widths divisible by 4 takes the _vec4 kernels.
 */
const PAD = 3;
const PAD4 = 4;
const PAD_VALUE = 12345;

interface Case {
  name: string;
  B: number;
  N: number;
  V: number;
  chunks: number[];
  logits: Float32Array;
  targets: Uint32Array;
}

/** The same device with a tiny per-dimension workgroup limit, so wrappers must use a 2-D grid. */
function narrowGrid(gpu: Gpu): Gpu {
  return new Gpu(gpu.device, gpu.info, { ...gpu.limits, maxWorkgroupsPerDimension: 32 }, gpu.features);
}

function randomCase(name: string, B: number, N: number, V: number, chunks: number[], seed: number, scale: number): Case {
  const rng = new Rng(seed);
  const rows = B * N;
  const logits = rng.uniformArray(rows * V, -scale, scale);
  const targets = Uint32Array.from({ length: rows }, (_, r) => (r % 5 === 3 ? NONE : rng.int(V)));
  return { name, B, N, V, chunks, logits, targets };
}

/** Puts the row maximum at each of `cols` (identical values), so argmax must pick the first. */
function tie(c: Case, r: number, cols: number[]): void {
  let m = -Infinity;
  for (let v = 0; v < c.V; v++) m = Math.max(m, c.logits[r * c.V + v]);
  for (const v of cols) c.logits[r * c.V + v] = m + 1;
}

async function runCase(gpu: Gpu, c: Case, pad = PAD) {
  const rows = c.B * c.N;
  const targets = upload(gpu, [rows], c.targets, 'targets', 'u32');
  const state = gpu.createTensor([rows, 3], 'f32', 'state');
  const argmax = gpu.createTensor([rows], 'u32', 'argmax');
  const loss = gpu.createTensor([rows], 'f32', 'loss');
  const itemLoss = gpu.createTensor([c.B], 'f32', 'itemLoss');
  const itemCorrect = gpu.createTensor([c.B], 'u32', 'itemCorrect');
  let v0 = 0;
  const parts = c.chunks.map((vc) => {
    const ldl = vc + pad;
    const data = new Float32Array(rows * ldl).fill(PAD_VALUE);
    for (let r = 0; r < rows; r++) data.set(c.logits.subarray(r * c.V + v0, r * c.V + v0 + vc), r * ldl);
    const part = { v0, vc, ldl, logits: upload(gpu, [rows, ldl], data, 'logits') };
    v0 += vc;
    return part;
  });
  expect(v0).toBe(c.V);
  await runOnce(gpu, (p) => {
    ceReset(p, 'reset', { state, argmax, rows });
    for (const k of parts) ceChunkForward(p, 'fwd', { logits: k.logits, targets, state, argmax, rows, vc: k.vc, v0: k.v0, ldl: k.ldl });
    ceFinalize(p, 'fin', { state, targets, loss, rows });
    for (const k of parts) ceChunkBackward(p, 'bwd', { logits: k.logits, targets, state, rows, vc: k.vc, v0: k.v0, ldl: k.ldl });
    ceReduce(p, 'reduce', { loss, argmax, targets, itemLoss, itemCorrect, B: c.B, N: c.N });
  });
  const dlogits = new Float32Array(rows * c.V);
  let padOk = true;
  for (const k of parts) {
    const g = await gpu.read(k.logits);
    for (let r = 0; r < rows; r++) {
      dlogits.set(g.subarray(r * k.ldl, r * k.ldl + k.vc), r * c.V + k.v0);
      for (let j = k.vc; j < k.ldl; j++) padOk &&= g[r * k.ldl + j] === PAD_VALUE;
    }
  }
  return {
    loss: await gpu.read(loss),
    argmax: await gpu.readU32(argmax),
    dlogits,
    padOk,
    itemLoss: await gpu.read(itemLoss),
    itemCorrect: await gpu.readU32(itemCorrect),
  };
}

function checkCase(c: Case, got: Awaited<ReturnType<typeof runCase>>): void {
  const want = crossEntropyRef(c.logits, c.targets, c.B * c.N, c.V);
  const items = crossEntropyReduceRef(want.loss, want.argmax, c.targets, c.B, c.N);
  expect(relMaxError(got.loss, want.loss), 'loss').toBeLessThanOrEqual(LOSS_TOL);
  expect([...got.argmax], 'argmax').toEqual([...want.argmax]);
  expect(relMaxError(got.dlogits, want.dlogits), 'dlogits').toBeLessThanOrEqual(GRAD_TOL);
  expect(got.padOk, 'columns past vc are untouched').toBe(true);
  expect(relMaxError(got.itemLoss, items.itemLoss), 'itemLoss').toBeLessThanOrEqual(ITEM_TOL);
  expect([...got.itemCorrect], 'itemCorrect').toEqual([...items.itemCorrect]);
}

describe('cross_entropy (shaders/cross_entropy.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  it('V=1: loss 0 and zero gradient; NONE rows', async () => {
    const c = randomCase('V=1', 2, 4, 1, [1], 1, 3);
    checkCase(c, await runCase(gpu, c));
  });

  it('V=7 in chunks of 3 and 4 with ties inside and across chunks', async () => {
    const c = randomCase('V=7', 2, 5, 7, [3, 4], 2, 3);
    c.targets[0] = 2;
    tie(c, 0, [2, 5]); // across chunks: the first chunk's id wins and is the target
    tie(c, 1, [0, 1]); // inside a chunk
    tie(c, 2, [4, 6]); // inside the second chunk
    tie(c, 4, [1, 2, 3, 4, 5, 6]);
    checkCase(c, await runCase(gpu, c));
  });

  for (const chunks of [[50304], [20000, 20000, 10304], [16384, 1, 33919]]) {
    it(`V=50304 in chunks ${chunks.join('+')}, logits in [-8, 8], ties`, async () => {
      const c = randomCase('V=50304', 2, 4, 50304, chunks, 3, 8);
      c.targets[0] = 100;
      tie(c, 0, [100, 40000]); // across chunks
      tie(c, 1, [5, 300]); // different threads of one workgroup
      tie(c, 2, [7, 263, 50303]); // the same thread (stride 256) and the last id
      tie(c, 4, [16384, 16385]); // straddles the 1-wide chunk
      checkCase(c, await runCase(gpu, c));
    });
  }

  // The vec4 kernels: 4 logits per thread per load, threads strided by WG_ROW vec4s.
  for (const chunks of [[50304], [20000, 20000, 10304], [16384, 4, 33916]]) {
    it(`vec4 kernels: V=50304 in chunks ${chunks.join('+')}, logits in [-8, 8], ties`, async () => {
      expect(chunks.every((vc) => ceChunkVec4({ vc, ldl: vc + PAD4 }) && !ceChunkVec4({ vc, ldl: vc + PAD }))).toBe(true);
      const c = randomCase('V=50304', 2, 5, 50304, chunks, 8, 8);
      c.targets[0] = 100;
      c.targets[6] = 16386; // the third component of the 4-wide chunk
      tie(c, 0, [100, 40000]); // across chunks
      tie(c, 1, [5, 6]); // inside one vec4
      tie(c, 2, [7, 12, 50303]); // vec4s 1 and 3: different threads on emulators (4 per row); and the last id
      tie(c, 3, [8, 24]); // the same thread's vec4s 2 and 6 (4 threads per row on emulators)
      tie(c, 5, [16387, 16388]); // straddles the end of the 4-wide chunk
      tie(c, 7, [1, 16384, 16385]); // first vec4 beaten by nothing later: the earliest id
      checkCase(c, await runCase(gpu, c, PAD4));
    });
  }

  it('vec4 kernels: chunks narrower than the threads of a row (V=12 as 4 + 8)', async () => {
    const c = randomCase('V=12', 2, 4, 12, [4, 8], 9, 3);
    c.targets[0] = 11;
    tie(c, 1, [3, 4]);
    checkCase(c, await runCase(gpu, c, PAD4));
  });

  it('300 rows on a 2-D grid of workgroups', async () => {
    const narrow = narrowGrid(gpu);
    const c = randomCase('rows=300', 4, 75, 600, [250, 350], 4, 4);
    checkCase(c, await runCase(narrow, c));
    const c4 = randomCase('rows=300', 4, 75, 600, [248, 352], 5, 4);
    checkCase(c4, await runCase(narrow, c4, PAD4));
  });

  it('reduce loops over 70000 rows of one sequence (emulators that cut long loops)', async () => {
    const N = 70000;
    const rng = new Rng(6);
    // Multiples of 1/8 in [0, 4]: the running f32 sum stays exact (< 2^24 / 8).
    const lossData = Float32Array.from({ length: N }, () => rng.int(33) / 8);
    const targetData = Uint32Array.from({ length: N }, (_, r) => (r % 7 === 0 ? NONE : rng.int(3)));
    const argmaxData = Uint32Array.from({ length: N }, () => rng.int(3));
    const loss = upload(gpu, [N], lossData);
    const argmax = upload(gpu, [N], argmaxData, 'argmax', 'u32');
    const targets = upload(gpu, [N], targetData, 'targets', 'u32');
    const itemLoss = gpu.createTensor([1]);
    const itemCorrect = gpu.createTensor([1], 'u32');
    await runOnce(gpu, (p) => ceReduce(p, 'reduce', { loss, argmax, targets, itemLoss, itemCorrect, B: 1, N }));
    const want = crossEntropyReduceRef(lossData, argmaxData, targetData, 1, N);
    expect((await gpu.read(itemLoss))[0]).toBe(want.itemLoss[0]);
    expect((await gpu.readU32(itemCorrect))[0]).toBe(want.itemCorrect[0]);
  });

  it('reference gradient matches central differences of the reference loss', () => {
    const [rows, V] = [4, 7];
    const rng = new Rng(7);
    const logits = Float64Array.from(rng.uniformArray(rows * V, -3, 3));
    const targets = Uint32Array.of(2, NONE, 0, 6);
    const total = (l: Float64Array): number => crossEntropyRef(l, targets, rows, V).loss.reduce((s, x) => s + x, 0);
    const grad = crossEntropyRef(logits, targets, rows, V).dlogits;
    const h = 1e-5;
    for (let i = 0; i < logits.length; i++) {
      const lp = logits.slice();
      const lm = logits.slice();
      lp[i] += h;
      lm[i] -= h;
      // O(h^2) truncation (~1e-10) plus rounding of ~1e-16 / h.
      expect(Math.abs((total(lp) - total(lm)) / (2 * h) - grad[i])).toBeLessThan(1e-8);
    }
  });
});
