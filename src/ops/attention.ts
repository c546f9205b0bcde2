import type { Program } from '../gpu/program.ts';
import { type Tensor, numel, describe } from '../gpu/tensor.ts';
import { packParams, f32 } from '../gpu/params.ts';
import { grid } from '../gpu/gpu.ts';

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
}

const SHADER = 'attention';
const WG = 64;
/** Per-invocation rows are function-scope arrays of hd floats (four of them in the backward). */
export const MAX_HEAD_DIM = 256;

function check(a: AttentionArgs, extra: Record<string, [Tensor, number]> = {}): void {
  const { B, N, H, Hkv, hd, ldq, qOff, kOff, vOff } = a;
  for (const [k, v] of Object.entries({ B, N, H, Hkv, hd, ldq, qOff, kOff, vOff })) {
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

function params(a: AttentionArgs): ArrayBuffer {
  return packParams({
    B: a.B,
    N: a.N,
    H: a.H,
    Hkv: a.Hkv,
    ldq: a.ldq,
    q_off: a.qOff,
    k_off: a.kOff,
    v_off: a.vOff,
    group: a.H / a.Hkv,
    scale: f32(a.scale),
  });
}

function workgroups(p: Program, invocations: number): [number, number, number] {
  // Zero invocations (B or N = 0) must give a zero grid, which Program.dispatch skips.
  if (invocations === 0) return [0, 1, 1];
  return grid(Math.ceil(invocations / WG), p.gpu.limits.maxWorkgroupsPerDimension);
}

function kernel(p: Program, entry: string, hd: number): GPUComputePipeline {
  return p.gpu.kernel(SHADER, entry, { constants: { WG }, defines: { HD: hd } });
}

/** Records out = softmax(causal scale·q·kᵀ)·v and lse for every (row, query head). */
export function attentionForward(p: Program, label: string, a: AttentionArgs): void {
  check(a);
  p.dispatch({
    label,
    pipeline: kernel(p, 'attention_forward', a.hd),
    params: params(a),
    buffers: { 1: a.qkv, 2: a.out, 3: a.lse },
    workgroups: workgroups(p, a.B * a.H * a.N),
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
  const prm = params(a);
  p.dispatch({
    label: `${label}.dq`,
    pipeline: kernel(p, 'attention_backward_dq', a.hd),
    params: prm,
    buffers: { 1: a.qkv, 2: a.out, 3: a.lse, 4: a.dout, 5: a.delta, 6: a.dqkv },
    workgroups: workgroups(p, a.B * a.H * a.N),
  });
  p.dispatch({
    label: `${label}.dkv`,
    pipeline: kernel(p, 'attention_backward_dkv', a.hd),
    params: prm,
    buffers: { 1: a.qkv, 3: a.lse, 4: a.dout, 5: a.delta, 6: a.dqkv },
    workgroups: workgroups(p, a.B * a.Hkv * a.N),
  });
}
