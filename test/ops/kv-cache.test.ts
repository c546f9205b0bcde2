import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { kvAppend, attentionDecode, attentionDecodeBackward, kvAppendBackward, decodeAdvance, type KvShape } from '../../src/ops/kv-cache.ts';
import { kvAppendRef, attentionDecodeRef, attentionDecodeBackwardRef, kvAppendBackwardRef } from '../../src/reference/kv-cache.ts';
import { attentionForwardRef } from '../../src/reference/attention.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { expectClose, relMaxError } from '../helpers/compare.ts';

// f32 online softmax over up to ~400 keys against float64: the same error budget as attention.test.ts.
const TOL_FWD = 1e-5;
const TOL_BWD = 2e-5;

interface Case {
  B: number;
  n: number;
  pos: number;
  maxLen: number;
  H: number;
  Hkv: number;
  hd: number;
  scale?: number;
  /** Sliding window in tokens (absent: none). */
  window?: number;
}

/** q, k, v blocks inside a wider row with gaps and odd offsets, so strides and offsets are honoured. */
function shapeOf(c: Case): KvShape {
  const qOff = 3;
  const kOff = qOff + c.H * c.hd + 2;
  const vOff = kOff + c.Hkv * c.hd + 5;
  const s = { B: c.B, n: c.n, maxLen: c.maxLen, H: c.H, Hkv: c.Hkv, hd: c.hd, ldq: vOff + c.Hkv * c.hd + 1, qOff, kOff, vOff, scale: c.scale ?? 1 / Math.sqrt(c.hd) };
  return c.window === undefined ? s : { ...s, window: c.window };
}

/** Picks positions [lo, hi) of every (sequence, kv head) out of a cache [B, Hkv, maxLen, hd]. */
function positions(buf: ArrayLike<number>, s: KvShape, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let bg = 0; bg < s.B * s.Hkv; bg++) for (let j = lo; j < hi; j++) for (let d = 0; d < s.hd; d++) out.push(buf[(bg * s.maxLen + j) * s.hd + d]);
  return out;
}

function block(buf: ArrayLike<number>, rows: number, ld: number, off: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) out[r * width + c] = buf[r * ld + off + c];
  return out;
}

const cases: Case[] = [
  { B: 1, n: 1, pos: 0, maxLen: 8, H: 8, Hkv: 4, hd: 8 }, // first step after an empty cache
  { B: 1, n: 1, pos: 37, maxLen: 40, H: 8, Hkv: 4, hd: 8 }, // stories260k heads, a decoding step
  { B: 3, n: 1, pos: 400, maxLen: 401, H: 4, Hkv: 1, hd: 16 }, // long cache, multi-query, batch
  { B: 2, n: 5, pos: 0, maxLen: 9, H: 6, Hkv: 2, hd: 13 }, // a prefill (odd head size)
  { B: 2, n: 4, pos: 7, maxLen: 20, H: 4, Hkv: 4, hd: 64 }, // several new rows after a filled cache
  { B: 1, n: 2, pos: 3, maxLen: 5, H: 2, Hkv: 1, hd: 256, scale: 0.3 }, // largest head size
  { B: 2, n: 1, pos: 30, maxLen: 31, H: 4, Hkv: 2, hd: 8, scale: 3 }, // peaked softmax
  // Sliding windows: the new rows see the last W positions, their own included.
  { B: 1, n: 1, pos: 37, maxLen: 40, H: 8, Hkv: 4, hd: 8, window: 5 }, // a decoding step
  { B: 1, n: 1, pos: 37, maxLen: 40, H: 8, Hkv: 4, hd: 8, window: 1 }, // itself alone
  { B: 3, n: 1, pos: 400, maxLen: 401, H: 4, Hkv: 1, hd: 16, window: 64 }, // long cache, short window
  { B: 2, n: 5, pos: 0, maxLen: 9, H: 6, Hkv: 2, hd: 13, window: 3 }, // a prefill longer than the window
  { B: 2, n: 4, pos: 7, maxLen: 20, H: 4, Hkv: 4, hd: 64, window: 6 }, // new rows whose windows start in the old cache
  { B: 2, n: 4, pos: 1, maxLen: 20, H: 4, Hkv: 4, hd: 64, window: 3 }, // windows reaching back to position 0
  { B: 2, n: 1, pos: 30, maxLen: 31, H: 4, Hkv: 2, hd: 8, window: 31 }, // window = every position: none
  { B: 2, n: 1, pos: 30, maxLen: 31, H: 4, Hkv: 2, hd: 8, window: 1000 }, // longer than the cache
];

describe('kv cache (shaders/kv_cache.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  const name = (c: Case) =>
    `B=${c.B} n=${c.n} pos=${c.pos} maxLen=${c.maxLen} H=${c.H} Hkv=${c.Hkv} hd=${c.hd}${c.scale ? ` scale=${c.scale}` : ''}${c.window !== undefined ? ` window=${c.window}` : ''}`;

  it.each(cases.map((c) => [name(c), c] as const))('append, attend and their gradients: %s', async (label, c) => {
    const s = shapeOf(c);
    const R = s.B * s.n;
    const cs = s.B * s.Hkv * s.maxLen * s.hd;
    const rng = new Rng(R * 31 + c.pos * 7 + s.hd);
    const QKV = rng.normalArray(R * s.ldq);
    // Earlier positions hold random keys and values; later ones a sentinel nobody may read or write.
    const KC0 = rng.normalArray(cs);
    const VC0 = rng.normalArray(cs);
    const DOUT = rng.normalArray(R * s.H * s.hd);
    const SENT = rng.uniformArray(Math.max(cs, R * s.ldq), 10, 11);
    const state = upload(gpu, [2], [c.pos, 0], 'state', 'u32');
    const qkv = upload(gpu, [R, s.ldq], QKV, 'qkv');
    const kc = upload(gpu, [cs], KC0, 'kc');
    const vc = upload(gpu, [cs], VC0, 'vc');
    const out = gpu.createTensor([R, s.H * s.hd], 'f32', 'out');
    const lse = gpu.createTensor([R, s.H], 'f32', 'lse');
    const dout = upload(gpu, [R, s.H * s.hd], DOUT, 'dout');
    const delta = gpu.createTensor([R, s.H], 'f32', 'delta');
    const dqkv = upload(gpu, [R, s.ldq], SENT.subarray(0, R * s.ldq), 'dqkv');
    const dkc = upload(gpu, [cs], SENT.subarray(0, cs), 'dkc');
    const dvc = upload(gpu, [cs], SENT.subarray(0, cs), 'dvc');
    const a = { ...s, state, qkv, kc, vc };
    await gpu.checked(label, () =>
      runOnce(gpu, (p) => {
        kvAppend(p, 'append', a);
        attentionDecode(p, 'attend', { ...a, out, lse });
        attentionDecodeBackward(p, 'attend.bwd', { ...a, out, lse, dout, delta, dqkv, dkc, dvc });
        kvAppendBackward(p, 'append.bwd', { ...a, dkc, dvc, dqkv });
      }),
    );

    const want = kvAppendRef(QKV, KC0, VC0, s, c.pos);
    // The append is a copy: bit exact, and positions past pos + n stay as they were.
    expect(Array.from(await gpu.read(kc))).toEqual(Array.from(Float32Array.from(want.kc)));
    expect(Array.from(await gpu.read(vc))).toEqual(Array.from(Float32Array.from(want.vc)));

    const ref = attentionDecodeRef(QKV, want.kc, want.vc, s, c.pos);
    expectClose(await gpu.read(out), ref.out, TOL_FWD, 'out');
    expectClose(await gpu.read(lse), ref.lse, TOL_FWD, 'lse');

    const g = attentionDecodeBackwardRef(QKV, want.kc, want.vc, DOUT, s, c.pos);
    const used = c.pos + c.n;
    const gotDkc = await gpu.read(dkc);
    const gotDvc = await gpu.read(dvc);
    expectClose(positions(gotDkc, s, 0, used), positions(g.dkc, s, 0, used), TOL_BWD, 'dkc');
    expectClose(positions(gotDvc, s, 0, used), positions(g.dvc, s, 0, used), TOL_BWD, 'dvc');
    expect(positions(gotDkc, s, used, s.maxLen)).toEqual(positions(SENT.subarray(0, cs), s, used, s.maxLen));

    const got = await gpu.read(dqkv);
    expectClose(block(got, R, s.ldq, s.qOff, s.H * s.hd), g.dq, TOL_BWD, 'dq');
    const app = kvAppendBackwardRef(g.dkc, g.dvc, s, c.pos);
    expectClose(block(got, R, s.ldq, s.kOff, s.Hkv * s.hd), app.dk, TOL_BWD, 'dk (new rows)');
    expectClose(block(got, R, s.ldq, s.vOff, s.Hkv * s.hd), app.dv, TOL_BWD, 'dv (new rows)');
    // Columns outside the q, k and v blocks keep the sentinel.
    for (const col of [0, 1, 2, s.ldq - 1]) expect(got[col]).toBe(Math.fround(SENT[col]));
    for (const t of [state, qkv, kc, vc, out, lse, dout, delta, dqkv, dkc, dvc]) gpu.destroyTensor(t);
  });

  it('a prefill from an empty cache is the causal attention of the training kernels (reference vs reference)', () => {
    const c: Case = { B: 2, n: 11, pos: 0, maxLen: 11, H: 6, Hkv: 3, hd: 8 };
    const s = shapeOf(c);
    const QKV = new Rng(5).normalArray(s.B * s.n * s.ldq);
    const filled = kvAppendRef(QKV, new Float64Array(s.B * s.Hkv * s.maxLen * s.hd), new Float64Array(s.B * s.Hkv * s.maxLen * s.hd), s, 0);
    const dec = attentionDecodeRef(QKV, filled.kc, filled.vc, s, 0);
    const full = attentionForwardRef(QKV, { B: s.B, N: s.n, H: s.H, Hkv: s.Hkv, hd: s.hd, ldq: s.ldq, qOff: s.qOff, kOff: s.kOff, vOff: s.vOff, scale: s.scale });
    expect(relMaxError(dec.out, full.out)).toBeLessThan(1e-13);
    expect(relMaxError(dec.lse, full.lse)).toBeLessThan(1e-13);
  });

  it.each([1, 4])('with a window of %i, a prefill from an empty cache is the windowed attention of the training kernels', (window) => {
    const c: Case = { B: 2, n: 11, pos: 0, maxLen: 11, H: 6, Hkv: 3, hd: 8, window };
    const s = shapeOf(c);
    const QKV = new Rng(6).normalArray(s.B * s.n * s.ldq);
    const empty = new Float64Array(s.B * s.Hkv * s.maxLen * s.hd);
    const filled = kvAppendRef(QKV, empty, empty, s, 0);
    const dec = attentionDecodeRef(QKV, filled.kc, filled.vc, s, 0);
    const full = attentionForwardRef(QKV, { B: s.B, N: s.n, H: s.H, Hkv: s.Hkv, hd: s.hd, ldq: s.ldq, qOff: s.qOff, kOff: s.kOff, vOff: s.vOff, scale: s.scale, window });
    const unwindowed = attentionForwardRef(QKV, { B: s.B, N: s.n, H: s.H, Hkv: s.Hkv, hd: s.hd, ldq: s.ldq, qOff: s.qOff, kOff: s.kOff, vOff: s.vOff, scale: s.scale });
    expect(relMaxError(dec.out, full.out)).toBeLessThan(1e-13);
    expect(relMaxError(dec.lse, full.lse)).toBeLessThan(1e-13);
    // ... and the window changes the answer (rows past the window's length see fewer keys).
    expect(relMaxError(dec.out, unwindowed.out)).toBeGreaterThan(1e-3);
  });

  it('the reference gradients match central differences of sum(dout ∘ out)', () => {
    const c: Case = { B: 1, n: 3, pos: 4, maxLen: 8, H: 4, Hkv: 2, hd: 5 };
    const s = shapeOf(c);
    const rng = new Rng(9);
    const qkv = Float64Array.from(rng.normalArray(s.B * s.n * s.ldq));
    const cs = s.B * s.Hkv * s.maxLen * s.hd;
    const kc = Float64Array.from(rng.normalArray(cs));
    const vc = Float64Array.from(rng.normalArray(cs));
    const dout = rng.normalArray(s.B * s.n * s.H * s.hd);
    const f = (q: Float64Array, k: Float64Array, v: Float64Array) => attentionDecodeRef(q, k, v, s, c.pos).out.reduce((acc, x, i) => acc + x * dout[i], 0);
    const g = attentionDecodeBackwardRef(qkv, kc, vc, dout, s, c.pos);
    const eps = 1e-5;
    const fd = (buf: Float64Array, i: number) => {
      const x0 = buf[i];
      buf[i] = x0 + eps;
      const up = f(qkv, kc, vc);
      buf[i] = x0 - eps;
      const down = f(qkv, kc, vc);
      buf[i] = x0;
      return (up - down) / (2 * eps);
    };
    // A few q entries, k/v entries at old positions, at new ones and past the last new row (zero).
    for (const [r, h, d] of [[0, 0, 0], [2, 3, 4], [1, 1, 2]]) {
      expect(Math.abs(fd(qkv, r * s.ldq + s.qOff + h * s.hd + d) - g.dq[r * s.H * s.hd + h * s.hd + d])).toBeLessThan(1e-7);
    }
    for (const [gg, j, d] of [[0, 0, 1], [1, 3, 0], [1, 6, 4], [0, 7, 2]]) {
      const at = (gg * s.maxLen + j) * s.hd + d;
      expect(Math.abs(fd(kc, at) - g.dkc[at])).toBeLessThan(1e-7);
      expect(Math.abs(fd(vc, at) - g.dvc[at])).toBeLessThan(1e-7);
    }
    expect(g.dkc[(1 * s.maxLen + 7) * s.hd]).toBe(0);
  });

  it('with a window, the reference gradients match central differences, and positions no new row sees get none', () => {
    // Rows at positions 4, 5, 6 with a window of 3 see 2..4, 3..5 and 4..6: positions 0 and 1 none.
    const c: Case = { B: 1, n: 3, pos: 4, maxLen: 8, H: 4, Hkv: 2, hd: 5, window: 3 };
    const s = shapeOf(c);
    const rng = new Rng(10);
    const qkv = Float64Array.from(rng.normalArray(s.B * s.n * s.ldq));
    const cs = s.B * s.Hkv * s.maxLen * s.hd;
    const kc = Float64Array.from(rng.normalArray(cs));
    const vc = Float64Array.from(rng.normalArray(cs));
    const dout = rng.normalArray(s.B * s.n * s.H * s.hd);
    const f = () => attentionDecodeRef(qkv, kc, vc, s, c.pos).out.reduce((acc, x, i) => acc + x * dout[i], 0);
    const g = attentionDecodeBackwardRef(qkv, kc, vc, dout, s, c.pos);
    const eps = 1e-5;
    const fd = (buf: Float64Array, i: number) => {
      const x0 = buf[i];
      buf[i] = x0 + eps;
      const up = f();
      buf[i] = x0 - eps;
      const down = f();
      buf[i] = x0;
      return (up - down) / (2 * eps);
    };
    for (const [r, h, d] of [[0, 0, 0], [2, 3, 4], [1, 1, 2]]) {
      expect(Math.abs(fd(qkv, r * s.ldq + s.qOff + h * s.hd + d) - g.dq[r * s.H * s.hd + h * s.hd + d])).toBeLessThan(1e-7);
    }
    for (const [gg, j, d] of [[0, 0, 1], [1, 1, 3], [0, 2, 0], [1, 3, 2], [0, 4, 4], [1, 6, 1]]) {
      const at = (gg * s.maxLen + j) * s.hd + d;
      expect(Math.abs(fd(kc, at) - g.dkc[at])).toBeLessThan(1e-7);
      expect(Math.abs(fd(vc, at) - g.dvc[at])).toBeLessThan(1e-7);
    }
    for (const j of [0, 1, 7]) {
      for (let gg = 0; gg < s.Hkv; gg++) {
        for (let d = 0; d < s.hd; d++) {
          expect(g.dkc[(gg * s.maxLen + j) * s.hd + d]).toBe(0);
          expect(g.dvc[(gg * s.maxLen + j) * s.hd + d]).toBe(0);
        }
      }
    }
    expect(Math.abs(g.dvc[(0 * s.maxLen + 2) * s.hd])).toBeGreaterThan(0);
  });

  it('decode_advance emits each step’s token at the step index, moves the position by n, stops writing at count', async () => {
    const B = 3;
    const count = 2;
    const state = upload(gpu, [2], [5, 0], 'state', 'u32');
    const next = upload(gpu, [B], [7, 8, 9], 'next', 'u32');
    const tokens = upload(gpu, [B, count], new Array(B * count).fill(99), 'tokens', 'u32');
    const steps: number[][] = [];
    for (let k = 0; k < 3; k++) {
      gpu.write(next, Uint32Array.from([10 * k + 1, 10 * k + 2, 10 * k + 3]));
      await runOnce(gpu, (p) => decodeAdvance(p, 'advance', { state, next, tokens, B, n: 2, count, hd: 8 }));
      steps.push(Array.from(await gpu.readU32(state)));
    }
    expect(steps).toEqual([[7, 1], [9, 2], [11, 3]]);
    expect(Array.from(await gpu.readU32(tokens))).toEqual([1, 11, 2, 12, 3, 13]);
  });
});
