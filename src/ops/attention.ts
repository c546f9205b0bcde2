import type { Program } from '../gpu/program.ts';
import { type Tensor, numel, describe } from '../gpu/tensor.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import { grid, type Gpu, type Kernel } from '../gpu/gpu.ts';
import { shaderSource } from '../gpu/shader-source.ts';
import { ATTENTION } from './signatures.ts';

/**
 * Causal attention over the fused projection output. See shaders/attention.wgsl for the math
 * and layout: qkv [R, ldq] (R = B·N) holds query head h at qOff + h·hd and key/value head g at
 * kOff + g·hd / vOff + g·hd; out [R, H·hd]; lse [R, H] is saved for the backward.
 */
export interface AttentionArgs {
  qkv: Tensor;
  out: Tensor;
  lse: Tensor;
  B: number;
  N: number;
  H: number;
  Hkv: number;
  hd: number;
  ldq: number;
  qOff: number;
  kOff: number;
  vOff: number;
  scale: number;
  /**
   * Sliding window in tokens (Hugging Face's `sliding_window`): query i sees keys j with
   * i - W < j <= i, itself and the W - 1 before it. 0 or absent: no window (plain causal).
   */
  window?: number;
}

const SHADER = ATTENTION.shader;
/** Rows held per invocation are function-scope arrays of hd floats, unrolled over hd. */
export const MAX_HEAD_DIM = 256;

function check(a: AttentionArgs, extra: Record<string, [Tensor, number]> = {}): void {
  const { B, N, H, Hkv, hd, ldq, qOff, kOff, vOff, window = 0 } = a;
  for (const [k, v] of Object.entries({ B, N, H, Hkv, hd, ldq, qOff, kOff, vOff, window })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`attention: ${k}=${v} must be a non-negative integer`);
  }
  if (H === 0 || Hkv === 0 || H % Hkv !== 0) throw new Error(`attention: H=${H} must be a positive multiple of Hkv=${Hkv}`);
  if (hd === 0 || hd > MAX_HEAD_DIM) throw new Error(`attention: head size ${hd} outside 1..${MAX_HEAD_DIM}`);
  if (qOff + H * hd > ldq || kOff + Hkv * hd > ldq || vOff + Hkv * hd > ldq) {
    throw new Error(`attention: q/k/v column blocks (${qOff}, ${kOff}, ${vOff}) overflow ldq=${ldq}`);
  }
  // The backward writes all three blocks of dqkv from different invocations: they must be disjoint.
  const blocks = [[qOff, H * hd], [kOff, Hkv * hd], [vOff, Hkv * hd]].sort((x, y) => x[0] - y[0]);
  if (blocks[0][0] + blocks[0][1] > blocks[1][0] || blocks[1][0] + blocks[1][1] > blocks[2][0]) {
    throw new Error(`attention: q/k/v column blocks (${qOff}, ${kOff}, ${vOff}) overlap`);
  }
  const R = B * N;
  const need: Record<string, [Tensor, number]> = { qkv: [a.qkv, R * ldq], out: [a.out, R * H * hd], lse: [a.lse, R * H], ...extra };
  for (const [k, [t, n]] of Object.entries(need)) {
    if (numel(t.shape) < n) throw new Error(`attention: ${k} ${describe(t)} holds fewer than the ${n} elements needed`);
  }
}

/**
 * How the kernels split the work (see shaders/attention.wgsl).
 *  v      floats per load and per register element: 4 (vec4) needs hd, ldq and the three column
 *         offsets to be multiples of 4; 1 otherwise.
 *  qb, hg queries and query heads (of one kv group) per forward / dq invocation.
 *  kb     keys per dk/dv invocation.
 *  wg     invocations per workgroup; lanes: SIMD width the dk/dv pass aligns its query loop to.
 *  unrollIo  row loads / stores of at most this many elements are unrolled (others stay loops,
 *         which keeps the bounds-checked load code, slow to compile on CPU emulators, written once).
 */
export interface AttentionTiling {
  v: 1 | 4;
  qb: number;
  hg: number;
  kb: number;
  wg: number;
  lanes: number;
  unrollIo: number;
}

let tilingOverride: Partial<AttentionTiling> | null = null;

/** Benchmarks and tests only: force parts of the tiling (null restores the per-adapter choice). */
export function setAttentionTiling(t: Partial<AttentionTiling> | null): void {
  tilingOverride = t;
}

/** Largest divisor of n that is at most max (at least 1). */
function divisorAtMost(n: number, max: number): number {
  for (let x = Math.max(1, Math.min(n, Math.floor(max))); x > 1; x--) if (n % x === 0) return x;
  return 1;
}

/**
 * The tiling used for `a` on this GPU. CPU emulators get blocks of rows per invocation (each k/v or
 * q/dout row loaded once serves all of them) sized so that the unrolled code compiles in about a
 * second; real GPUs get one row per invocation (register pressure and occupancy come first there).
 */
export function attentionTiling(gpu: Gpu, a: Pick<AttentionArgs, 'H' | 'Hkv' | 'hd' | 'ldq' | 'qOff' | 'kOff' | 'vOff'>): AttentionTiling {
  const aligned = a.hd % 4 === 0 && a.ldq % 4 === 0 && a.qOff % 4 === 0 && a.kOff % 4 === 0 && a.vOff % 4 === 0;
  const group = a.H / a.Hkv;
  let t: AttentionTiling;
  if (gpu.cpuEmulated) {
    // Rows (and keys) held per invocation: more share each loaded row, but every one is unrolled
    // code and live state, and compile time grows faster than linearly with them. Four rows and
    // four keys are where sharing stops paying: on stories260k (hd 8) eight of each compiled the
    // three pipelines in 0.9 s, four in 0.34 s, and the steps took the same time at N = 16-256
    // (docs/PERFORMANCE.md, time to first step). A scalar row (v = 1) costs about as much as a vec4 one.
    const budget = aligned ? 256 : 64;
    const rows = Math.max(1, Math.min(4, Math.floor(budget / a.hd)));
    const hg = divisorAtMost(group, Math.min(2, rows));
    const qb = Math.max(1, Math.min(4, Math.floor(rows / hg)));
    const kb = Math.max(1, Math.min(4, Math.floor(budget / a.hd)));
    t = { v: 4, qb, hg, kb, wg: 8, lanes: 4, unrollIo: 4 };
  } else {
    t = { v: 4, qb: 1, hg: 1, kb: 1, wg: 64, lanes: 1, unrollIo: 64 };
  }
  t = { ...t, ...(tilingOverride ?? {}) };
  for (const k of ['qb', 'hg', 'kb', 'wg', 'lanes', 'unrollIo'] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 1) throw new Error(`attention tiling: ${k}=${t[k]} must be a positive integer`);
  }
  if (!aligned) t.v = 1;
  t.hg = divisorAtMost(group, t.hg);
  return t;
}

function params(a: AttentionArgs, v: number): ArrayBuffer {
  return packFor(ATTENTION, {
    B: a.B,
    N: a.N,
    H: a.H,
    Hkv: a.Hkv,
    ldq: a.ldq / v,
    q_off: a.qOff / v,
    k_off: a.kOff / v,
    v_off: a.vOff / v,
    group: a.H / a.Hkv,
    scale: a.scale,
    window: a.window ?? 0,
  });
}

function workgroups(p: Program, invocations: number, wg: number): [number, number, number] {
  // Zero invocations (B or N = 0) must give a zero grid, which Program.dispatch skips.
  if (invocations === 0) return [0, 1, 1];
  return grid(Math.ceil(invocations / wg), p.gpu.limits.maxWorkgroupsPerDimension);
}

/**
 * Expands every `for (var x = 0u; x < BOUND; x++) { ... }` of `src` marked with a leading comment
 * `unroll` or `unroll:CLASS` (between slash-star and star-slash) whose BOUND (a name in `consts`)
 * is at most max[CLASS] (no limit for a class missing from `max`; plain `unroll` is class '') into
 * BOUND copies of the body, each in its own block, with x replaced by its value. Inner loops are
 * expanded first. WGSL has no unroll hint and neither Tint nor SwiftShader unrolls, so without this
 * every per-row / per-dimension loop runs as a loop and every register array lives in memory
 * behind dynamic indices.
 */
export function unrollLoops(src: string, consts: Record<string, number>, max: Record<string, number>): string {
  const head = /\/\*unroll(?::(\w+))?\*\/\s*for \(var (\w+) = 0u; \2 < (\w+); \2\+\+\) \{/g;
  let out = '';
  let pos = 0;
  for (let m = head.exec(src); m; m = head.exec(src)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = open;
    for (; close < src.length; close++) {
      if (src[close] === '{') depth++;
      else if (src[close] === '}' && --depth === 0) break;
    }
    if (depth !== 0) throw new Error('unrollLoops: unbalanced braces');
    const [, cls = '', name, bound] = m;
    const body = unrollLoops(src.slice(open + 1, close), consts, max);
    const n = consts[bound];
    if (n === undefined) throw new Error(`unrollLoops: unknown bound ${bound}`);
    out += src.slice(pos, m.index);
    if (n <= (max[cls] ?? Infinity)) {
      const ident = new RegExp(`\\b${name}\\b`, 'g');
      for (let k = 0; k < n; k++) out += `{${body.replace(ident, `${k}u`)}}`;
    } else {
      out += `for (var ${name} = 0u; ${name} < ${bound}; ${name}++) {${body}}`;
    }
    pos = close + 1;
    head.lastIndex = pos;
  }
  return out + src.slice(pos);
}

/** Compiled modules per template values, per device (the pipelines are cached by the Gpu). */
const modules = new WeakMap<Gpu, Map<string, GPUShaderModule>>();

function kernel(p: Program, entry: string, hd: number, t: AttentionTiling): Kernel {
  let cache = modules.get(p.gpu);
  if (!cache) modules.set(p.gpu, (cache = new Map()));
  const moduleKey = `${hd}:${t.v}:${t.qb}:${t.hg}:${t.kb}:${t.unrollIo}`;
  return p.gpu.pipeline(`${SHADER}:${entry}:${moduleKey}:${t.wg}:${t.lanes}`, () => {
    let module = cache.get(moduleKey);
    if (!module) {
      const vec = t.v === 4;
      const defines = { HD: hd, V: t.v, VT: vec ? 'vec4<f32>' : 'f32', VDOT: vec ? 's + dot(a, b)' : 'fma(a, b, s)', QB: t.qb, HG: t.hg, KB: t.kb };
      const bounds = { HDV: hd / t.v, RB: t.qb * t.hg, QB: t.qb, KB: t.kb };
      module = p.gpu.device.createShaderModule({ label: SHADER, code: unrollLoops(shaderSource(SHADER, defines), bounds, { io: t.unrollIo }) });
      cache.set(moduleKey, module);
    }
    return { label: `${SHADER}.${entry}`, layout: 'auto', compute: { module, entryPoint: entry, constants: { WG: t.wg, LANES: t.lanes } } };
  });
}

/** Records out = softmax(causal, windowed scale·q·kᵀ)·v and lse for every (row, query head). */
export function attentionForward(p: Program, label: string, a: AttentionArgs): void {
  check(a);
  const t = attentionTiling(p.gpu, a);
  p.dispatch({
    label,
    pipeline: kernel(p, 'attention_forward', a.hd, t),
    params: params(a, t.v),
    buffers: bindFor(ATTENTION, { qkv: a.qkv, out: a.out, lse: a.lse }),
    workgroups: workgroups(p, a.B * (a.H / t.hg) * Math.ceil(a.N / t.qb), t.wg),
  });
}

/**
 * dout [R, H·hd]. Overwrites the q, k and v column blocks of dqkv [R, ldq] (other columns are
 * untouched) with dL/dq, dL/dk, dL/dv; `delta` [R, H] is scratch. Needs `out` and `lse` of the
 * matching forward. Two dispatches: dq (which also writes delta), then dk/dv (which reads it).
 */
export function attentionBackward(p: Program, label: string, a: AttentionArgs & { dout: Tensor; dqkv: Tensor; delta: Tensor }): void {
  const R = a.B * a.N;
  check(a, { dout: [a.dout, R * a.H * a.hd], dqkv: [a.dqkv, R * a.ldq], delta: [a.delta, R * a.H] });
  const t = attentionTiling(p.gpu, a);
  const prm = params(a, t.v);
  p.dispatch({
    label: `${label}.dq`,
    pipeline: kernel(p, 'attention_backward_dq', a.hd, t),
    params: prm,
    buffers: bindFor(ATTENTION, { qkv: a.qkv, out: a.out, lse: a.lse, dout: a.dout, delta: a.delta, dqkv: a.dqkv }),
    workgroups: workgroups(p, a.B * (a.H / t.hg) * Math.ceil(a.N / t.qb), t.wg),
  });
  p.dispatch({
    label: `${label}.dkv`,
    pipeline: kernel(p, 'attention_backward_dkv', a.hd, t),
    params: prm,
    buffers: bindFor(ATTENTION, { qkv: a.qkv, lse: a.lse, dout: a.dout, delta: a.delta, dqkv: a.dqkv }),
    workgroups: workgroups(p, a.B * a.Hkv * Math.ceil(a.N / t.kb), t.wg),
  });
}
