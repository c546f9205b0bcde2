import { describe, it, expect, beforeAll } from 'vitest';
import { type Gpu, grid } from '../../src/gpu/gpu.ts';
import { attentionForward, attentionBackward, attentionTiling, setAttentionTiling, type AttentionTiling } from '../../src/ops/attention.ts';
import { attentionForwardRef, attentionBackwardRef, type AttentionShape } from '../../src/reference/attention.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload, runOnce } from '../helpers/gpu.ts';
import { expectClose } from '../helpers/compare.ts';

// f32 online softmax vs float64 over up to 300 keys: measured <= 5e-7 of the max; 1e-5 leaves room for other adapters.
const TOL_FWD = 1e-5;
// Backward forms dP - delta and sums up to N·H/Hkv terms per gradient: measured <= 1.5e-6 of the max.
const TOL_BWD = 2e-5;
// Central differences in float64 with eps 1e-5: truncation ~eps² and rounding ~1e-16/eps, both far below 1e-7.
const TOL_FD = 1e-7;

type Layout = 'gaps' | 'permuted' | 'packed' | 'aligned';

interface Case {
  B: number;
  N: number;
  H: number;
  Hkv: number;
  hd: number;
  layout: Layout;
  scale?: number;
  /** Sliding window in tokens (absent: none). */
  window?: number;
}

/**
 * q, k, v column blocks inside a wider qkv row, so the kernels must honour offsets and stride.
 * 'gaps' and 'permuted' have odd offsets (the scalar path); 'packed' (the model's layout) and
 * 'aligned' (gaps of whole vec4s) allow the vec4 path when hd is a multiple of 4.
 */
function shapeOf(c: Case): AttentionShape {
  return c.window === undefined ? layoutOf(c) : { ...layoutOf(c), window: c.window };
}

function layoutOf(c: Case): AttentionShape {
  const { B, N, H, Hkv, hd } = c;
  const scale = c.scale ?? 1 / Math.sqrt(hd);
  const [qw, kw] = [H * hd, Hkv * hd];
  if (c.layout === 'packed') return { B, N, H, Hkv, hd, ldq: qw + 2 * kw, qOff: 0, kOff: qw, vOff: qw + kw, scale };
  if (c.layout === 'aligned') {
    const qOff = 4;
    const kOff = qOff + qw + 8;
    const vOff = kOff + kw + 4;
    return { B, N, H, Hkv, hd, ldq: vOff + kw + 12, qOff, kOff, vOff, scale };
  }
  if (c.layout === 'gaps') {
    const qOff = 3;
    const kOff = qOff + qw + 5;
    const vOff = kOff + kw + 2;
    return { B, N, H, Hkv, hd, ldq: vOff + kw + 7, qOff, kOff, vOff, scale };
  }
  const vOff = 1;
  const kOff = vOff + kw + 6;
  const qOff = kOff + kw + 3;
  return { B, N, H, Hkv, hd, ldq: qOff + qw + 4, qOff, kOff, vOff, scale };
}

/** Columns of qkv that belong to no q/k/v block. */
function otherColumns(s: AttentionShape): number[] {
  const cols: number[] = [];
  const inBlock = (c: number, off: number, w: number): boolean => c >= off && c < off + w;
  for (let c = 0; c < s.ldq; c++) {
    if (!inBlock(c, s.qOff, s.H * s.hd) && !inBlock(c, s.kOff, s.Hkv * s.hd) && !inBlock(c, s.vOff, s.Hkv * s.hd)) cols.push(c);
  }
  return cols;
}

/** Reads a [R, width] column block out of an [R, ldq] buffer. */
function block(buf: ArrayLike<number>, R: number, ldq: number, off: number, width: number): Float64Array {
  const outBlock = new Float64Array(R * width);
  for (let r = 0; r < R; r++) for (let c = 0; c < width; c++) outBlock[r * width + c] = buf[r * ldq + off + c];
  return outBlock;
}

const cases: Case[] = [
  { B: 1, N: 37, H: 4, Hkv: 4, hd: 16, layout: 'gaps' }, // MHA
  { B: 3, N: 37, H: 6, Hkv: 2, hd: 16, layout: 'gaps' },
  { B: 3, N: 300, H: 8, Hkv: 4, hd: 8, layout: 'permuted' }, // stories260k-like heads, long causal loops
  { B: 1, N: 300, H: 4, Hkv: 2, hd: 64, layout: 'gaps' },
  { B: 3, N: 5, H: 2, Hkv: 2, hd: 64, layout: 'packed' },
  { B: 3, N: 1, H: 6, Hkv: 2, hd: 16, layout: 'gaps' },
  { B: 1, N: 5, H: 8, Hkv: 4, hd: 8, layout: 'permuted' },
  { B: 1, N: 37, H: 4, Hkv: 1, hd: 128, layout: 'packed' }, // multi-query, Llama 8B head size
  { B: 1, N: 5, H: 2, Hkv: 1, hd: 256, layout: 'gaps' }, // largest supported head size
  { B: 2, N: 64, H: 4, Hkv: 2, hd: 16, layout: 'gaps', scale: 1.5 }, // peaked softmax: the running max moves often
  // vec4 path (hd, ldq and offsets multiples of 4), with N not a multiple of any block size.
  { B: 2, N: 37, H: 8, Hkv: 4, hd: 8, layout: 'packed' }, // stories260k's layout
  { B: 1, N: 130, H: 8, Hkv: 4, hd: 8, layout: 'aligned' },
  { B: 3, N: 13, H: 6, Hkv: 2, hd: 16, layout: 'aligned', scale: 1.5 },
  { B: 1, N: 1, H: 8, Hkv: 4, hd: 8, layout: 'packed' },
  { B: 2, N: 19, H: 6, Hkv: 3, hd: 32, layout: 'aligned' },
  { B: 1, N: 67, H: 3, Hkv: 3, hd: 64, layout: 'aligned' },
  { B: 1, N: 21, H: 2, Hkv: 1, hd: 256, layout: 'aligned' },
];

/**
 * Forced tilings (the per-adapter choice is covered by the cases above): odd block sizes that
 * divide nothing, one row per invocation as on real GPUs, workgroups that split SIMD groups, row
 * loads unrolled or not.
 */
const tilings: Partial<AttentionTiling>[] = [
  { qb: 1, hg: 1, kb: 1, wg: 64, lanes: 1, unrollIo: 64 },
  { qb: 3, hg: 1, kb: 5, wg: 16, lanes: 4, unrollIo: 1 },
  { qb: 2, hg: 3, kb: 3, wg: 7, lanes: 3, unrollIo: 64 },
  { qb: 5, hg: 2, kb: 7, wg: 4, lanes: 2, unrollIo: 2 },
];
const tilingCases: Case[] = [
  { B: 2, N: 23, H: 6, Hkv: 2, hd: 8, layout: 'aligned' },
  { B: 2, N: 23, H: 6, Hkv: 2, hd: 12, layout: 'gaps' },
];

/**
 * Sliding windows: attention to itself alone (1), a short one (3), one that neither divides nor is
 * divided by any block size or LANES·KB span of the default or forced tilings (11), and one at least
 * N long, which must be no window at all. The bases reuse shapes (so pipelines) of the cases above:
 * scalar and vec4 rows, GQA groups of 1 to 4, head sizes 8 to 128, N from 19 to 300.
 */
const windowBases: Case[] = [
  { B: 2, N: 37, H: 6, Hkv: 2, hd: 16, layout: 'gaps' },
  { B: 1, N: 300, H: 8, Hkv: 4, hd: 8, layout: 'permuted' }, // O(N·W) loops over a long text
  { B: 1, N: 130, H: 8, Hkv: 4, hd: 8, layout: 'aligned' },
  { B: 2, N: 19, H: 6, Hkv: 3, hd: 32, layout: 'aligned' },
  { B: 1, N: 67, H: 3, Hkv: 3, hd: 64, layout: 'aligned' }, // MHA
  { B: 1, N: 37, H: 4, Hkv: 1, hd: 128, layout: 'packed' }, // multi-query
];
const windowsFor = (N: number): number[] => [1, 3, 11, N + 4];
const windowCases: Case[] = windowBases.flatMap((c) => windowsFor(c.N).map((window) => ({ ...c, window })));

describe('attention (shaders/attention.wgsl) against float64', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  const caseName = (c: Case): string =>
    `B=${c.B} N=${c.N} H=${c.H} Hkv=${c.Hkv} hd=${c.hd} ${c.layout}${c.scale ? ` scale=${c.scale}` : ''}${c.window !== undefined ? ` window=${c.window}` : ''}`;

  /** Runs forward and backward on random data and compares everything with the float64 reference. */
  async function check(c: Case, name: string): Promise<void> {
    const s = shapeOf(c);
    const { H, Hkv, hd, ldq } = s;
    const R = s.B * s.N;
    const rng = new Rng(R * 7919 + H * 131 + Hkv * 17 + hd);
    const QKV = rng.normalArray(R * ldq);
    const DOUT = rng.normalArray(R * H * hd);
    const SENTINEL = rng.uniformArray(R * ldq);

    const qkv = upload(gpu, [R, ldq], QKV, 'qkv');
    const dout = upload(gpu, [R, H * hd], DOUT, 'dout');
    const dqkv = upload(gpu, [R, ldq], SENTINEL, 'dqkv');
    const out = gpu.createTensor([R, H * hd], 'f32', 'out');
    const lse = gpu.createTensor([R, H], 'f32', 'lse');
    const delta = gpu.createTensor([R, H], 'f32', 'delta');
    const args = { qkv, out, lse, ...s };
    await gpu.checked(name, () =>
      runOnce(gpu, (p) => {
        attentionForward(p, 'attn', args);
        attentionBackward(p, 'attn.bwd', { ...args, dout, dqkv, delta });
      }),
    );

    const ref = attentionForwardRef(QKV, s);
    expectClose(await gpu.read(out), ref.out, TOL_FWD, 'out');
    expectClose(await gpu.read(lse), ref.lse, TOL_FWD, 'lse');

    const grads = attentionBackwardRef(QKV, DOUT, s);
    const got = await gpu.read(dqkv);
    expectClose(block(got, R, ldq, s.qOff, H * hd), grads.dq, TOL_BWD, 'dq');
    expectClose(block(got, R, ldq, s.kOff, Hkv * hd), grads.dk, TOL_BWD, 'dk');
    expectClose(block(got, R, ldq, s.vOff, Hkv * hd), grads.dv, TOL_BWD, 'dv');
    const others = otherColumns(s);
    for (let r = 0; r < R; r++) {
      for (const col of others) {
        if (got[r * ldq + col] !== SENTINEL[r * ldq + col]) expect.fail(`dqkv[${r}, ${col}] outside the q/k/v blocks was written`);
      }
    }
    for (const t of [qkv, dout, dqkv, out, lse, delta]) gpu.destroyTensor(t);
  }

  for (const c of cases) {
    const name = caseName(c);
    it(name, () => check(c, name));
  }

  for (const t of tilings) {
    for (const c of tilingCases) {
      const name = `${caseName(c)} tiling ${JSON.stringify(t)}`;
      it(name, async () => {
        setAttentionTiling(t);
        try {
          await check(c, name);
        } finally {
          setAttentionTiling(null);
        }
      });
    }
  }

  for (const c of windowCases) {
    const name = caseName(c);
    it(name, () => check(c, name));
  }

  // Every forced tiling with every window: block rows on both sides of a window edge, key blocks
  // whose LANES-wide group ends inside or past a window, rows past N in a block.
  for (const t of tilings) {
    for (const base of tilingCases) {
      for (const window of windowsFor(base.N)) {
        const c = { ...base, window };
        const name = `${caseName(c)} tiling ${JSON.stringify(t)}`;
        it(name, async () => {
          setAttentionTiling(t);
          try {
            await check(c, name);
          } finally {
            setAttentionTiling(null);
          }
        });
      }
    }
  }

  it('a window of N or more, up to the largest u32, is bit for bit no window', async () => {
    const s = shapeOf({ B: 2, N: 37, H: 6, Hkv: 2, hd: 16, layout: 'gaps' });
    const R = s.B * s.N;
    const rng = new Rng(37);
    const qkv = upload(gpu, [R, s.ldq], rng.normalArray(R * s.ldq), 'qkv');
    const dout = upload(gpu, [R, s.H * s.hd], rng.normalArray(R * s.H * s.hd), 'dout');
    const out = gpu.createTensor([R, s.H * s.hd]);
    const lse = gpu.createTensor([R, s.H]);
    const delta = gpu.createTensor([R, s.H]);
    const dqkv = gpu.createTensor([R, s.ldq]);
    const run = async (window: number) => {
      await runOnce(gpu, (p) => {
        attentionForward(p, 'attn', { qkv, out, lse, ...s, window });
        attentionBackward(p, 'attn.bwd', { qkv, out, lse, ...s, window, dout, dqkv, delta });
      });
      return gpu.readMany([out, lse, dqkv]);
    };
    const none = await run(0);
    for (const window of [s.N, s.N + 1, 2 ** 32 - 1]) expect(await run(window), `window ${window}`).toEqual(none);
    for (const t of [qkv, dout, dqkv, out, lse, delta]) gpu.destroyTensor(t);
  });

  it('more than 65535 workgroups (2-D grid), checked on sampled sequences', async () => {
    // Just past 65535 workgroups for every entry point with this adapter's tiling.
    const base = { N: 2, H: 2, Hkv: 2, hd: 1, layout: 'packed' as const };
    const t = attentionTiling(gpu, shapeOf({ ...base, B: 1 }));
    const perSeq = [(base.H / t.hg) * Math.ceil(base.N / t.qb), base.Hkv * Math.ceil(base.N / t.kb)];
    const s = shapeOf({ ...base, B: Math.ceil((65535 * t.wg + 1) / Math.min(...perSeq)) + 5 });
    const { B, N, H, hd, ldq } = s;
    const R = B * N;
    const rng = new Rng(65536);
    const QKV = rng.normalArray(R * ldq);
    const DOUT = rng.normalArray(R * H * hd);
    const qkv = upload(gpu, [R, ldq], QKV, 'qkv');
    const dout = upload(gpu, [R, H * hd], DOUT, 'dout');
    const dqkv = gpu.createTensor([R, ldq], 'f32', 'dqkv');
    const out = gpu.createTensor([R, H * hd], 'f32', 'out');
    const lse = gpu.createTensor([R, H], 'f32', 'lse');
    const delta = gpu.createTensor([R, H], 'f32', 'delta');
    const args = { qkv, out, lse, ...s };
    await gpu.checked('big grid', () =>
      runOnce(gpu, (p) => {
        attentionForward(p, 'attn', args);
        attentionBackward(p, 'attn.bwd', { ...args, dout, dqkv, delta });
      }),
    );
    const [gOut, gLse, gD] = await gpu.readMany([out, lse, dqkv]);
    // Sequences on both sides of the first grid row's end of each entry point, plus the first and last.
    const sampled = new Set([0, B - 1]);
    for (const n of perSeq) {
      const g = grid(Math.ceil((B * n) / t.wg));
      expect(g[1]).toBe(2);
      const rowEnd = (g[0] * t.wg) / n;
      for (const b of [Math.floor(rowEnd) - 1, Math.floor(rowEnd), Math.ceil(rowEnd)]) sampled.add(b);
    }
    const one = { ...s, B: 1 };
    for (const b of sampled) {
      const seqQkv = QKV.subarray(b * N * ldq, (b + 1) * N * ldq);
      const seqDout = DOUT.subarray(b * N * H * hd, (b + 1) * N * H * hd);
      const ref = attentionForwardRef(seqQkv, one);
      const grads = attentionBackwardRef(seqQkv, seqDout, one);
      expectClose(gOut.subarray(b * N * H * hd, (b + 1) * N * H * hd), ref.out, TOL_FWD, `out of sequence ${b}`);
      expectClose(gLse.subarray(b * N * H, (b + 1) * N * H), ref.lse, TOL_FWD, `lse of sequence ${b}`);
      const seqD = gD.subarray(b * N * ldq, (b + 1) * N * ldq);
      expectClose(block(seqD, N, ldq, s.qOff, H * hd), grads.dq, TOL_BWD, `dq of sequence ${b}`);
      expectClose(block(seqD, N, ldq, s.kOff, s.Hkv * hd), grads.dk, TOL_BWD, `dk of sequence ${b}`);
      expectClose(block(seqD, N, ldq, s.vOff, s.Hkv * hd), grads.dv, TOL_BWD, `dv of sequence ${b}`);
    }
    for (const t of [qkv, dout, dqkv, out, lse, delta]) gpu.destroyTensor(t);
  });

  it('backward is deterministic (no atomics): two runs agree bit for bit', async () => {
    const s = shapeOf({ B: 2, N: 70, H: 6, Hkv: 2, hd: 16, layout: 'gaps' });
    const R = s.B * s.N;
    const rng = new Rng(99);
    const qkv = upload(gpu, [R, s.ldq], rng.normalArray(R * s.ldq), 'qkv');
    const dout = upload(gpu, [R, s.H * s.hd], rng.normalArray(R * s.H * s.hd), 'dout');
    const out = gpu.createTensor([R, s.H * s.hd]);
    const lse = gpu.createTensor([R, s.H]);
    const delta = gpu.createTensor([R, s.H]);
    const results: Float32Array[] = [];
    for (let run = 0; run < 2; run++) {
      const dqkv = gpu.createTensor([R, s.ldq]);
      await runOnce(gpu, (p) => {
        attentionForward(p, 'attn', { qkv, out, lse, ...s });
        attentionBackward(p, 'attn.bwd', { qkv, out, lse, ...s, dout, dqkv, delta });
      });
      results.push(await gpu.read(dqkv));
    }
    expect(results[1]).toEqual(results[0]);
  });

  it('rejects inconsistent shapes', async () => {
    const s = shapeOf({ B: 1, N: 4, H: 6, Hkv: 4, hd: 8, layout: 'packed' });
    const t = gpu.createTensor([4, s.ldq]);
    await expect(runOnce(gpu, (p) => attentionForward(p, 'attn', { qkv: t, out: t, lse: t, ...s }))).rejects.toThrow(/multiple of Hkv/);
  });

  it('rejects a window that is not a non-negative integer', async () => {
    const s = shapeOf({ B: 1, N: 4, H: 4, Hkv: 2, hd: 8, layout: 'packed' });
    const t = gpu.createTensor([4, s.ldq]);
    for (const window of [-1, 2.5]) {
      await expect(runOnce(gpu, (p) => attentionForward(p, 'attn', { qkv: t, out: t, lse: t, ...s, window }))).rejects.toThrow(/window=.* non-negative integer/);
    }
    gpu.destroyTensor(t);
  });
});

describe('attention float64 reference', () => {
  it('backward matches central finite differences of the forward', () => {
    const s = shapeOf({ B: 2, N: 5, H: 4, Hkv: 2, hd: 3, layout: 'gaps', scale: 0.7 });
    const R = s.B * s.N;
    const rng = new Rng(2024);
    const qkv = Float64Array.from(rng.normalArray(R * s.ldq));
    const dout = Float64Array.from(rng.normalArray(R * s.H * s.hd));
    const loss = (x: Float64Array): number => {
      const { out } = attentionForwardRef(x, s);
      let l = 0;
      for (let i = 0; i < out.length; i++) l += dout[i] * out[i];
      return l;
    };
    const fd = (off: number, width: number): Float64Array => {
      const g = new Float64Array(R * width);
      const eps = 1e-5;
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < width; c++) {
          const idx = r * s.ldq + off + c;
          const x0 = qkv[idx];
          qkv[idx] = x0 + eps;
          const up = loss(qkv);
          qkv[idx] = x0 - eps;
          const down = loss(qkv);
          qkv[idx] = x0;
          g[r * width + c] = (up - down) / (2 * eps);
        }
      }
      return g;
    };
    const grads = attentionBackwardRef(qkv, dout, s);
    expectClose(grads.dq, fd(s.qOff, s.H * s.hd), TOL_FD, 'dq');
    expectClose(grads.dk, fd(s.kOff, s.Hkv * s.hd), TOL_FD, 'dk');
    expectClose(grads.dv, fd(s.vOff, s.Hkv * s.hd), TOL_FD, 'dv');
  });

  it.each([1, 2, 3])('backward with a window of %i matches central finite differences of the forward', (window) => {
    const s = shapeOf({ B: 2, N: 7, H: 4, Hkv: 2, hd: 3, layout: 'gaps', scale: 0.7, window });
    const R = s.B * s.N;
    const rng = new Rng(2025 + window);
    const qkv = Float64Array.from(rng.normalArray(R * s.ldq));
    const dout = Float64Array.from(rng.normalArray(R * s.H * s.hd));
    const loss = (): number => attentionForwardRef(qkv, s).out.reduce((l, o, i) => l + dout[i] * o, 0);
    // Every column of the q, k and v blocks, central differences with eps 1e-5 as above.
    const fd = (off: number, width: number): Float64Array =>
      Float64Array.from({ length: R * width }, (_, at) => {
        const idx = Math.floor(at / width) * s.ldq + off + (at % width);
        const x0 = qkv[idx];
        qkv[idx] = x0 + 1e-5;
        const up = loss();
        qkv[idx] = x0 - 1e-5;
        const down = loss();
        qkv[idx] = x0;
        return (up - down) / 2e-5;
      });
    const grads = attentionBackwardRef(qkv, dout, s);
    expectClose(grads.dq, fd(s.qOff, s.H * s.hd), TOL_FD, 'dq');
    expectClose(grads.dk, fd(s.kOff, s.Hkv * s.hd), TOL_FD, 'dk');
    expectClose(grads.dv, fd(s.vOff, s.Hkv * s.hd), TOL_FD, 'dv');
  });

  // The convention (Hugging Face's sliding_window: kv_idx > q_idx - W, and causal): a query sees
  // itself and the W - 1 tokens before it.
  it('a window of W: value j reaches exactly the outputs of queries j .. j + W - 1', () => {
    const s = shapeOf({ B: 1, N: 9, H: 2, Hkv: 1, hd: 4, layout: 'packed', window: 3 });
    const qkv = Float64Array.from(new Rng(3).normalArray(s.N * s.ldq));
    const before = attentionForwardRef(qkv, s).out;
    const j = 4;
    for (let d = 0; d < s.hd; d++) qkv[j * s.ldq + s.vOff + d] += 1;
    const after = attentionForwardRef(qkv, s).out;
    const width = s.H * s.hd;
    const changed = Array.from({ length: s.N }, (_, i) => i).filter((i) => after.subarray(i * width, (i + 1) * width).some((x, c) => x !== before[i * width + c]));
    expect(changed).toEqual([4, 5, 6]);
  });

  it('a window of 1 is attention to itself alone; a window of N or more is no window', () => {
    const base = { B: 2, N: 6, H: 4, Hkv: 2, hd: 5, layout: 'gaps' } as const;
    const s = shapeOf(base);
    const R = s.B * s.N;
    const rng = new Rng(11);
    const qkv = Float64Array.from(rng.normalArray(R * s.ldq));
    const dout = Float64Array.from(rng.normalArray(R * s.H * s.hd));
    const self = attentionForwardRef(qkv, { ...s, window: 1 });
    const group = s.H / s.Hkv;
    for (let r = 0; r < R; r++) {
      for (let h = 0; h < s.H; h++) {
        const g = Math.floor(h / group);
        let dot = 0;
        for (let d = 0; d < s.hd; d++) {
          expect(self.out[(r * s.H + h) * s.hd + d]).toBeCloseTo(qkv[r * s.ldq + s.vOff + g * s.hd + d], 14);
          dot += qkv[r * s.ldq + s.qOff + h * s.hd + d] * qkv[r * s.ldq + s.kOff + g * s.hd + d];
        }
        expect(self.lse[r * s.H + h]).toBeCloseTo(s.scale * dot, 14);
      }
    }
    // One key: P = 1 whatever q and k are, so only v has a gradient.
    const g1 = attentionBackwardRef(qkv, dout, { ...s, window: 1 });
    expect(Math.max(...g1.dq.map(Math.abs), ...g1.dk.map(Math.abs))).toBeLessThan(1e-15);
    const none = attentionForwardRef(qkv, s);
    const gNone = attentionBackwardRef(qkv, dout, s);
    for (const window of [s.N, s.N + 3]) {
      expect(attentionForwardRef(qkv, { ...s, window })).toEqual(none);
      expect(attentionBackwardRef(qkv, dout, { ...s, window })).toEqual(gNone);
    }
  });
});
