import { grid, type GpuInfo } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import { bindFor, packFor, type BuffersOf } from '../gpu/kernel-signature.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { NORM } from './signatures.ts';

/** True for software adapters (SwiftShader, llvmpipe), which run every invocation on a CPU core. */
function isCpuAdapter(info: GpuInfo): boolean {
  return info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/**
 * Invocations per row (a power of two). CPU emulators pay for every invocation at every barrier
 * (measured on SwiftShader, 256 rows: 4 lanes is 5-30x faster than 64-256 up to dim 1024, 16 lanes
 * best at dim 4096). GPUs want enough lanes to cover a wide row in few strided steps.
 */
export function normWorkgroupSize(info: GpuInfo, dim: number): number {
  if (isCpuAdapter(info)) return dim > 2048 ? 16 : 4;
  return dim <= 512 ? 64 : dim <= 1024 ? 128 : 256;
}

/**
 * 'rows': one invocation per row (the *_rows entry points); 'tree': a workgroup per row with a
 * workgroup-memory reduction. Measured on SwiftShader at stories260k's width (64), 64 rows: the
 * norms of one optimisation step took 4.0 ms of CPU time as 'rows' against 9.0 ms as 4-lane trees.
 * GPUs want 'tree'; so do very wide rows.
 */
export type NormKernel = 'tree' | 'rows';

export function normKernel(info: GpuInfo, dim: number): NormKernel {
  return isCpuAdapter(info) && dim <= 4096 ? 'rows' : 'tree';
}

const ROWS_WG = 16;

let kernelOverride: NormKernel | null = null;

/** Forces one kind of kernel (tests run both on one adapter); null restores the per-adapter choice. */
export function setNormKernel(k: NormKernel | null): void {
  kernelOverride = k;
}

/**
 * A strided view of rows inside a wider buffer: row i of x, y, dy and dx starts at
 * floor(i / heads)·ld + colOffset + (i mod heads)·dim (rstd and mean stay [rows]). Qwen3's per-head
 * q/k norms use it on the fused [R, q | k | v] buffer: rows = R·H, heads = H, colOffset 0 for the q
 * heads; rows = R·Hkv, heads = Hkv, colOffset H·dim for the k heads; ld the buffer's width.
 * Without a view the rows are contiguous (ld = dim, colOffset 0, heads 1).
 */
export interface NormRowsView {
  ld: number;
  colOffset: number;
  heads: number;
}

function record(
  p: Program,
  label: string,
  entry: string,
  rows: number,
  dim: number,
  eps: number,
  accumulate: boolean,
  buffers: BuffersOf<typeof NORM>,
  view: NormRowsView = { ld: dim, colOffset: 0, heads: 1 },
): void {
  if (!Number.isInteger(rows) || !Number.isInteger(dim) || dim < 1) throw new Error(`${label}: bad shape rows=${rows} dim=${dim}`);
  const { ld, colOffset, heads } = view;
  if (!Number.isInteger(heads) || heads < 1 || !Number.isInteger(colOffset) || colOffset < 0 || colOffset + heads * dim > ld || rows % heads !== 0) {
    throw new Error(`${label}: bad rows view ld=${ld} colOffset=${colOffset} heads=${heads} for rows=${rows} dim=${dim}`);
  }
  const kernel = kernelOverride ?? normKernel(p.gpu.info, dim);
  const max = p.gpu.limits.maxWorkgroupsPerDimension;
  p.dispatch({
    label,
    pipeline:
      kernel === 'rows'
        ? p.gpu.kernel(NORM.shader, `${entry}_rows`, { constants: { ROWS_WG } })
        : p.gpu.kernel(NORM.shader, entry, { constants: { WG: normWorkgroupSize(p.gpu.info, dim) } }),
    params: packFor(NORM, { rows, dim, eps, accumulate: accumulate ? 1 : 0, ld, col_offset: colOffset, heads }),
    buffers: bindFor(NORM, buffers),
    workgroups: rows === 0 ? [0] : grid(kernel === 'rows' ? Math.ceil(rows / ROWS_WG) : rows, max),
  });
}

/**
 * RMSNorm (LlamaRMSNorm): y = x·rsqrt(mean x² + eps)·w; saves rstd [rows] for the backward. With
 * `view`, over that strided view of x and y (elements of y outside it are left as they are).
 */
export function rmsnormForward(p: Program, label: string, a: { x: Tensor; w: Tensor; y: Tensor; rstd: Tensor; rows: number; dim: number; eps: number; view?: NormRowsView }): void {
  record(p, label, 'rmsnorm_forward', a.rows, a.dim, a.eps, false, { x: a.x, w: a.w, y: a.y, rstd_out: a.rstd }, a.view);
}

/** dx (= or +=) the RMSNorm input gradient for upstream dy, from the saved rstd; `view` as in the forward, on x, dy and dx. */
export function rmsnormBackward(
  p: Program,
  label: string,
  a: { x: Tensor; w: Tensor; rstd: Tensor; dy: Tensor; dx: Tensor; rows: number; dim: number; accumulate: boolean; view?: NormRowsView },
): void {
  record(p, label, 'rmsnorm_backward', a.rows, a.dim, 0, a.accumulate, { x: a.x, w: a.w, rstd_in: a.rstd, dy: a.dy, dx: a.dx }, a.view);
}

/** LayerNorm (torch, biased variance): y = (x - mean)·rstd·w + b; saves mean and rstd [rows]. */
export function layernormForward(p: Program, label: string, a: { x: Tensor; w: Tensor; b: Tensor; y: Tensor; mean: Tensor; rstd: Tensor; rows: number; dim: number; eps: number }): void {
  record(p, label, 'layernorm_forward', a.rows, a.dim, a.eps, false, { x: a.x, w: a.w, y: a.y, rstd_out: a.rstd, b: a.b, mean_out: a.mean });
}

/** dx (= or +=) the LayerNorm input gradient for upstream dy, from the saved mean and rstd. */
export function layernormBackward(p: Program, label: string, a: { x: Tensor; w: Tensor; mean: Tensor; rstd: Tensor; dy: Tensor; dx: Tensor; rows: number; dim: number; accumulate: boolean }): void {
  record(p, label, 'layernorm_backward', a.rows, a.dim, 0, a.accumulate, { x: a.x, w: a.w, rstd_in: a.rstd, dy: a.dy, dx: a.dx, mean_in: a.mean });
}
