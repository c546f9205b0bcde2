import { grid } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import { describe, numel, type Tensor } from '../gpu/tensor.ts';
import { WEIGHT_GRAD } from './signatures.ts';

/** weight_grad's workgroup: 8 x 8 invocations of 4 x 4 outputs each, a 32 x 32 block of C. */
const WG_X = 8;
const WG_Y = 8;
/** column_sum's invocations per workgroup. */
const WG = 64;

/**
 * Throws unless every count is a non-negative integer and `t` holds the `rows` x `cols` view at
 * `off` with row stride `ld` (ld >= cols, so rows never overlap). Checked here because WebGPU
 * clamps out-of-range storage accesses silently: a short buffer would give wrong gradients, not an error.
 */
function checkView(op: string, name: string, t: Tensor, rows: number, cols: number, ld: number, off: number): void {
  for (const [k, v] of Object.entries({ rows, cols, ld, off })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: ${name} ${k}=${v} must be a non-negative integer`);
  }
  if (t.dtype !== 'f32') throw new Error(`${op}: ${name} ${describe(t)} must be f32`);
  if (ld < cols) throw new Error(`${op}: ${name} row stride ${ld} is less than its ${cols} columns`);
  const need = rows === 0 || cols === 0 ? 0 : off + (rows - 1) * ld + cols;
  if (numel(t.shape) < need) throw new Error(`${op}: ${name} ${describe(t)} holds fewer than the ${need} elements a ${rows}x${cols} view (ld ${ld}, offset ${off}) needs`);
}

/**
 * Records C[K, N] (=, or += with accumulate) Aᵀ·B for A [M, K] and B [M, N]: a linear layer's
 * weight gradient dW = xᵀ·dy for y = x·W with W [K, N] (the layout matmul's transposeB = false reads).
 * lda = K, ldb = ldc = N and zero offsets unless given. See shaders/weight_grad.wgsl.
 */
export function weightGrad(
  p: Program,
  label: string,
  x: { a: Tensor; b: Tensor; c: Tensor; M: number; K: number; N: number; accumulate?: boolean; lda?: number; ldb?: number; ldc?: number; aOffset?: number; bOffset?: number; cOffset?: number },
): void {
  const op = `weightGrad ${label}`;
  const [lda, ldb, ldc] = [x.lda ?? x.K, x.ldb ?? x.N, x.ldc ?? x.N];
  const [a_off, b_off, c_off] = [x.aOffset ?? 0, x.bOffset ?? 0, x.cOffset ?? 0];
  checkView(op, 'A', x.a, x.M, x.K, lda, a_off);
  checkView(op, 'B', x.b, x.M, x.N, ldb, b_off);
  checkView(op, 'C', x.c, x.K, x.N, ldc, c_off);
  // The vec4 entry point reads A's and B's rows four floats at a time (4x fewer loads); C may be unaligned.
  const vec4 = [x.K, x.N, lda, ldb, a_off, b_off].every((v) => v % 4 === 0);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(WEIGHT_GRAD.shader, vec4 ? 'weight_grad_vec4' : 'weight_grad', { constants: { WG_X, WG_Y } }),
    params: packFor(WEIGHT_GRAD, { M: x.M, N: x.N, K: x.K, lda, ldb, ldc, a_off, b_off, c_off, accumulate: x.accumulate ? 1 : 0 }),
    buffers: bindFor(WEIGHT_GRAD, vec4 ? { A4: x.a, B4: x.b, C: x.c } : { A: x.a, B: x.b, C: x.c }),
    // Empty C (K or N zero) is a zero-sized grid, which Program skips.
    workgroups: [Math.ceil(x.N / (4 * WG_X)), Math.ceil(x.K / (4 * WG_Y))],
  });
}

/**
 * Records c[n] (=, or += with accumulate) Σ_m B[m, n] for B [M, N]: a linear layer's bias gradient
 * db = Σ_rows dy. ldb = N and zero offsets unless given; c is written at cOffset .. cOffset + N - 1.
 */
export function columnSum(p: Program, label: string, x: { b: Tensor; c: Tensor; M: number; N: number; accumulate?: boolean; ldb?: number; bOffset?: number; cOffset?: number }): void {
  const op = `columnSum ${label}`;
  const ldb = x.ldb ?? x.N;
  const [b_off, c_off] = [x.bOffset ?? 0, x.cOffset ?? 0];
  checkView(op, 'B', x.b, x.M, x.N, ldb, b_off);
  checkView(op, 'C', x.c, 1, x.N, x.N, c_off);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(WEIGHT_GRAD.shader, 'column_sum', { constants: { WG } }),
    // K, lda and a_off are weight_grad's; column_sum never reads them.
    params: packFor(WEIGHT_GRAD, { M: x.M, N: x.N, K: 0, lda: 0, ldb, ldc: 0, a_off: 0, b_off, c_off, accumulate: x.accumulate ? 1 : 0 }),
    buffers: bindFor(WEIGHT_GRAD, { B: x.b, C: x.c }),
    workgroups: x.N === 0 ? [0] : grid(Math.ceil(x.N / WG), p.gpu.limits.maxWorkgroupsPerDimension),
  });
}
