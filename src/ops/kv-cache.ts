import { grid } from '../gpu/gpu.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import { describe, numel, type Tensor } from '../gpu/tensor.ts';
import { KV_CACHE } from './signatures.ts';

/**
 * Key/value cache ops for autoregressive decoding; see shaders/kv_cache.wgsl for the math and
 * layout. `state` (u32 [2]: position, tokens emitted) is read on the GPU, so a recorded step is
 * replayed for every token. Caches are [B, Hkv, maxLen, hd].
 */
export interface KvShape {
  B: number;
  /** New rows per sequence in this dispatch (the prefix length for a prefill, 1 for a step). */
  n: number;
  maxLen: number;
  H: number;
  Hkv: number;
  hd: number;
  ldq: number;
  qOff: number;
  kOff: number;
  vOff: number;
  scale: number;
  /**
   * Sliding window in tokens (Hugging Face's `sliding_window`): the row at position P sees cache
   * positions P - W + 1 .. P, itself included. 0 or absent: every position up to its own.
   */
  window?: number;
}

export const MAX_DECODE_HEAD_DIM = 256;
const WG = 64;

function check(label: string, s: KvShape, tensors: Record<string, [Tensor, number]>): void {
  for (const k of ['B', 'n', 'maxLen', 'H', 'Hkv', 'hd', 'ldq', 'qOff', 'kOff', 'vOff'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 0) throw new Error(`${label}: ${k}=${s[k]} must be a non-negative integer`);
  }
  const window = s.window ?? 0;
  if (!Number.isInteger(window) || window < 0) throw new Error(`${label}: window=${window} must be a non-negative integer`);
  if (s.H === 0 || s.Hkv === 0 || s.H % s.Hkv !== 0) throw new Error(`${label}: H=${s.H} must be a positive multiple of Hkv=${s.Hkv}`);
  if (s.hd === 0 || s.hd > MAX_DECODE_HEAD_DIM) throw new Error(`${label}: head size ${s.hd} outside 1..${MAX_DECODE_HEAD_DIM}`);
  if (s.n > s.maxLen) throw new Error(`${label}: ${s.n} new rows do not fit a cache of ${s.maxLen} positions`);
  if (s.qOff + s.H * s.hd > s.ldq || s.kOff + s.Hkv * s.hd > s.ldq || s.vOff + s.Hkv * s.hd > s.ldq) {
    throw new Error(`${label}: q/k/v column blocks (${s.qOff}, ${s.kOff}, ${s.vOff}) overflow ldq=${s.ldq}`);
  }
  for (const [k, [t, need]] of Object.entries(tensors)) {
    if (numel(t.shape) < need) throw new Error(`${label}: ${k} ${describe(t)} holds fewer than the ${need} elements needed`);
  }
}

function params(s: KvShape, count = 0): ArrayBuffer {
  return packFor(KV_CACHE, {
    B: s.B,
    n: s.n,
    maxLen: s.maxLen,
    H: s.H,
    Hkv: s.Hkv,
    ldq: s.ldq,
    q_off: s.qOff,
    k_off: s.kOff,
    v_off: s.vOff,
    group: s.H / s.Hkv,
    count,
    scale: s.scale,
    window: s.window ?? 0,
  });
}

function groups(p: Program, invocations: number): [number, number, number] | [0] {
  return invocations === 0 ? [0] : grid(Math.ceil(invocations / WG), p.gpu.limits.maxWorkgroupsPerDimension);
}

const kernel = (p: Program, entry: string, hd: number) => p.gpu.kernel(KV_CACHE.shader, entry, { defines: { HD: hd } });

const cacheSize = (s: KvShape) => s.B * s.Hkv * s.maxLen * s.hd;

/** kc, vc at positions state[0] .. state[0] + n - 1 ← the k and v blocks of qkv [B·n, ldq]. */
export function kvAppend(p: Program, label: string, a: KvShape & { state: Tensor; qkv: Tensor; kc: Tensor; vc: Tensor }): void {
  check(label, a, { state: [a.state, 2], qkv: [a.qkv, a.B * a.n * a.ldq], kc: [a.kc, cacheSize(a)], vc: [a.vc, cacheSize(a)] });
  p.dispatch({
    label,
    pipeline: kernel(p, 'kv_append', a.hd),
    params: params(a),
    buffers: bindFor(KV_CACHE, { state: a.state, qkv: a.qkv, kc: a.kc, vc: a.vc }),
    workgroups: groups(p, a.B * a.n * a.Hkv * a.hd),
  });
}

/**
 * out [B·n, H·hd] and lse [B·n, H]: each new row attends to cache positions 0 .. its own (with a
 * window W, to the last W of them, its own included).
 */
export function attentionDecode(p: Program, label: string, a: KvShape & { state: Tensor; qkv: Tensor; kc: Tensor; vc: Tensor; out: Tensor; lse: Tensor }): void {
  const R = a.B * a.n;
  check(label, a, { state: [a.state, 2], qkv: [a.qkv, R * a.ldq], kc: [a.kc, cacheSize(a)], vc: [a.vc, cacheSize(a)], out: [a.out, R * a.H * a.hd], lse: [a.lse, R * a.H] });
  p.dispatch({
    label,
    pipeline: kernel(p, 'attention_decode', a.hd),
    params: params(a),
    buffers: bindFor(KV_CACHE, { state: a.state, qkv: a.qkv, kc: a.kc, vc: a.vc, out: a.out, lse: a.lse }),
    workgroups: groups(p, R * a.H),
  });
}

/**
 * Gradients of attentionDecode given dout [B·n, H·hd]: the q block of dqkv (other columns
 * untouched), and dkc, dvc [B, Hkv, maxLen, hd] at positions 0 .. state[0] + n - 1 (later ones
 * untouched). Needs the forward's out and lse; delta [B·n, H] is scratch. State must be as in the
 * forward (before decodeAdvance).
 */
export function attentionDecodeBackward(
  p: Program,
  label: string,
  a: KvShape & { state: Tensor; qkv: Tensor; kc: Tensor; vc: Tensor; out: Tensor; lse: Tensor; dout: Tensor; delta: Tensor; dqkv: Tensor; dkc: Tensor; dvc: Tensor },
): void {
  const R = a.B * a.n;
  const cs = cacheSize(a);
  check(label, a, {
    state: [a.state, 2], qkv: [a.qkv, R * a.ldq], kc: [a.kc, cs], vc: [a.vc, cs], out: [a.out, R * a.H * a.hd], lse: [a.lse, R * a.H],
    dout: [a.dout, R * a.H * a.hd], delta: [a.delta, R * a.H], dqkv: [a.dqkv, R * a.ldq], dkc: [a.dkc, cs], dvc: [a.dvc, cs],
  });
  const prm = params(a);
  p.dispatch({
    label: `${label}.dq`,
    pipeline: kernel(p, 'attention_decode_backward_dq', a.hd),
    params: prm,
    buffers: bindFor(KV_CACHE, { state: a.state, qkv: a.qkv, kc: a.kc, vc: a.vc, out: a.out, lse: a.lse, dout: a.dout, delta: a.delta, dqkv: a.dqkv }),
    workgroups: groups(p, R * a.H),
  });
  p.dispatch({
    label: `${label}.dkv`,
    pipeline: kernel(p, 'attention_decode_backward_dkv', a.hd),
    params: prm,
    buffers: bindFor(KV_CACHE, { state: a.state, qkv: a.qkv, kc: a.kc, vc: a.vc, lse: a.lse, dout: a.dout, delta: a.delta, dkc: a.dkc, dvc: a.dvc }),
    // The cache length in use is only known on the GPU: cover the whole cache, idle past it.
    workgroups: groups(p, a.B * a.Hkv * a.maxLen),
  });
}

/** The k and v blocks of dqkv [B·n, ldq] ← dkc, dvc at positions state[0] .. state[0] + n - 1. */
export function kvAppendBackward(p: Program, label: string, a: KvShape & { state: Tensor; dkc: Tensor; dvc: Tensor; dqkv: Tensor }): void {
  check(label, a, { state: [a.state, 2], dkc: [a.dkc, cacheSize(a)], dvc: [a.dvc, cacheSize(a)], dqkv: [a.dqkv, a.B * a.n * a.ldq] });
  p.dispatch({
    label,
    pipeline: kernel(p, 'kv_append_backward', a.hd),
    params: params(a),
    buffers: bindFor(KV_CACHE, { state: a.state, dqkv: a.dqkv, dkc: a.dkc, dvc: a.dvc }),
    workgroups: groups(p, a.B * a.n * a.Hkv * a.hd),
  });
}

/**
 * After a prefill or step: tokens[b, state[1]] = next[b] (u32 [B], the step's argmax) while
 * state[1] < count, then state[0] += n and state[1] += 1. tokens is u32 [B, count].
 */
export function decodeAdvance(p: Program, label: string, a: { state: Tensor; next: Tensor; tokens: Tensor; B: number; n: number; count: number; hd: number }): void {
  if (numel(a.tokens.shape) < a.B * a.count) throw new Error(`${label}: tokens ${describe(a.tokens)} holds fewer than ${a.B}x${a.count}`);
  if (numel(a.next.shape) < a.B) throw new Error(`${label}: next ${describe(a.next)} holds fewer than ${a.B}`);
  p.dispatch({
    label,
    pipeline: kernel(p, 'decode_advance', a.hd),
    params: params({ B: a.B, n: a.n, maxLen: 0, H: 1, Hkv: 1, hd: a.hd, ldq: 0, qOff: 0, kOff: 0, vOff: 0, scale: 0 }, a.count),
    buffers: bindFor(KV_CACHE, { state: a.state, next: a.next, tokens: a.tokens }),
    workgroups: [1],
  });
}
