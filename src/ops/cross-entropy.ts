import { grid } from '../gpu/gpu.ts';
import { packParams } from '../gpu/params.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';

// Mirrors WG (per-row and per-sequence kernels) in shaders/cross_entropy.wgsl; the chunk kernels
// use one workgroup per row.
const WG = 64;

/** Threads per row for the chunk kernels (a power of two): few on CPU emulators, 256 on GPUs. */
function rowThreads(p: Program): number {
  return p.gpu.cpuEmulated ? 4 : 256;
}

interface Sizes {
  rows?: number;
  vc?: number;
  v0?: number;
  ldl?: number;
  B?: number;
  N?: number;
}

// Every entry point shares one Params struct, so every dispatch packs all its fields.
function params(s: Sizes): ArrayBuffer {
  return packParams({ rows: s.rows ?? 0, vc: s.vc ?? 0, v0: s.v0 ?? 0, ldl: s.ldl ?? 0, B: s.B ?? 0, N: s.N ?? 0 });
}

function groups(p: Program, count: number): [number, number, number] | [0] {
  return count === 0 ? [0] : grid(count, p.gpu.limits.maxWorkgroupsPerDimension);
}

/** Starts a new pass over the vocabulary: no chunk seen yet. */
export function ceReset(p: Program, label: string, a: { state: Tensor; argmax: Tensor; rows: number }): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('cross_entropy', 'ce_reset'),
    params: params({ rows: a.rows }),
    buffers: { 3: a.state, 4: a.argmax },
    workgroups: groups(p, Math.ceil(a.rows / WG)),
  });
}

/**
 * Whether a chunk runs the _vec4 kernels (4 logits per load, one exp each; 2-3x faster forward and
 * 1.5-2x backward on SwiftShader at 16-64 rows x 50304): its width and row stride must be multiples
 * of 4, which every vocabulary the lab loads has.
 */
export function ceChunkVec4(a: { vc: number; ldl: number }): boolean {
  return a.vc % 4 === 0 && a.ldl % 4 === 0;
}

function chunkEntry(name: string, a: { vc: number; ldl: number }): string {
  return ceChunkVec4(a) ? `${name}_vec4` : name;
}

/** Folds a logits chunk [rows, vc] (row stride ldl, vocabulary ids v0..v0+vc) into state and argmax. */
export function ceChunkForward(
  p: Program,
  label: string,
  a: { logits: Tensor; targets: Tensor; state: Tensor; argmax: Tensor; rows: number; vc: number; v0: number; ldl: number },
): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('cross_entropy', chunkEntry('ce_chunk_forward', a), { constants: { WG_ROW: rowThreads(p) } }),
    params: params({ rows: a.rows, vc: a.vc, v0: a.v0, ldl: a.ldl }),
    buffers: { 1: a.logits, 2: a.targets, 3: a.state, 4: a.argmax },
    workgroups: groups(p, a.rows),
  });
}

/** loss[r] = max + log(sumexp) - target logit; 0 for NONE targets. */
export function ceFinalize(p: Program, label: string, a: { state: Tensor; targets: Tensor; loss: Tensor; rows: number }): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('cross_entropy', 'ce_finalize'),
    params: params({ rows: a.rows }),
    buffers: { 2: a.targets, 3: a.state, 5: a.loss },
    workgroups: groups(p, Math.ceil(a.rows / WG)),
  });
}

/** Overwrites the chunk with d(sum loss)/d logits = softmax - onehot(target); needs ceFinalize's state. */
export function ceChunkBackward(
  p: Program,
  label: string,
  a: { logits: Tensor; targets: Tensor; state: Tensor; rows: number; vc: number; v0: number; ldl: number },
): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('cross_entropy', chunkEntry('ce_chunk_backward', a), { constants: { WG_ROW: rowThreads(p) } }),
    params: params({ rows: a.rows, vc: a.vc, v0: a.v0, ldl: a.ldl }),
    buffers: { 1: a.logits, 2: a.targets, 3: a.state },
    workgroups: groups(p, a.rows),
  });
}

/** Per-sequence metrics over B sequences of N rows: summed loss and number of correct argmaxes. */
export function ceReduce(
  p: Program,
  label: string,
  a: { loss: Tensor; argmax: Tensor; targets: Tensor; itemLoss: Tensor; itemCorrect: Tensor; B: number; N: number },
): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('cross_entropy', 'ce_reduce'),
    params: params({ B: a.B, N: a.N }),
    buffers: { 2: a.targets, 4: a.argmax, 5: a.loss, 6: a.itemLoss, 7: a.itemCorrect },
    workgroups: groups(p, Math.ceil(a.B / WG)),
  });
}
