import { grid } from '../gpu/gpu.ts';
import { bindFor, packFor, type ParamsOf } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { CROSS_ENTROPY } from './signatures.ts';

// Mirrors WG (per-row and per-sequence kernels) in shaders/cross_entropy.wgsl; the chunk kernels
// use one workgroup per row.
const WG = 64;

/** Threads per row for the chunk kernels (a power of two): few on CPU emulators, 256 on GPUs. */
function rowThreads(p: Program): number {
  return p.gpu.cpuEmulated ? 4 : 256;
}

// Every entry point shares one Params struct, so every dispatch packs all its fields.
function params(s: Partial<ParamsOf<typeof CROSS_ENTROPY>>): ArrayBuffer {
  return packFor(CROSS_ENTROPY, { rows: s.rows ?? 0, vc: s.vc ?? 0, v0: s.v0 ?? 0, ldl: s.ldl ?? 0, B: s.B ?? 0, N: s.N ?? 0 });
}

function groups(p: Program, count: number): [number, number, number] | [0] {
  return count === 0 ? [0] : grid(count, p.gpu.limits.maxWorkgroupsPerDimension);
}

/** Starts a new pass over the vocabulary: no chunk seen yet. */
export function ceReset(p: Program, label: string, a: { state: Tensor; argmax: Tensor; rows: number }): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(CROSS_ENTROPY.shader, 'ce_reset'),
    params: params({ rows: a.rows }),
    buffers: bindFor(CROSS_ENTROPY, { state: a.state, argmax: a.argmax }),
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

/** The _vec4 entry points read the chunk through their own view of binding 1. */
function chunkView(a: { logits: Tensor; vc: number; ldl: number }): { logits4: Tensor } | { logits: Tensor } {
  return ceChunkVec4(a) ? { logits4: a.logits } : { logits: a.logits };
}

/** Folds a logits chunk [rows, vc] (row stride ldl, vocabulary ids v0..v0+vc) into state and argmax. */
export function ceChunkForward(
  p: Program,
  label: string,
  a: { logits: Tensor; targets: Tensor; state: Tensor; argmax: Tensor; rows: number; vc: number; v0: number; ldl: number },
): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(CROSS_ENTROPY.shader, chunkEntry('ce_chunk_forward', a), { constants: { WG_ROW: rowThreads(p) } }),
    params: params({ rows: a.rows, vc: a.vc, v0: a.v0, ldl: a.ldl }),
    buffers: bindFor(CROSS_ENTROPY, { ...chunkView(a), targets: a.targets, state: a.state, argmax: a.argmax }),
    workgroups: groups(p, a.rows),
  });
}

/** loss[r] = max + log(sumexp) - target logit; 0 for NONE targets. */
export function ceFinalize(p: Program, label: string, a: { state: Tensor; targets: Tensor; loss: Tensor; rows: number }): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(CROSS_ENTROPY.shader, 'ce_finalize'),
    params: params({ rows: a.rows }),
    buffers: bindFor(CROSS_ENTROPY, { targets: a.targets, state: a.state, loss: a.loss }),
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
    pipeline: p.gpu.kernel(CROSS_ENTROPY.shader, chunkEntry('ce_chunk_backward', a), { constants: { WG_ROW: rowThreads(p) } }),
    params: params({ rows: a.rows, vc: a.vc, v0: a.v0, ldl: a.ldl }),
    buffers: bindFor(CROSS_ENTROPY, { ...chunkView(a), targets: a.targets, state: a.state }),
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
    pipeline: p.gpu.kernel(CROSS_ENTROPY.shader, 'ce_reduce'),
    params: params({ B: a.B, N: a.N }),
    buffers: bindFor(CROSS_ENTROPY, { targets: a.targets, argmax: a.argmax, loss: a.loss, item_loss: a.itemLoss, item_correct: a.itemCorrect }),
    workgroups: groups(p, Math.ceil(a.B / WG)),
  });
}
