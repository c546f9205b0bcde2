import type { Program } from '../gpu/program.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { quadGrid, quadOk } from './matmul.ts';
import { MATMUL_QUAD } from './signatures.ts';
import { asWeight, weightBindings, weightReader, type WeightOperand } from './weight-operand.ts';

/**
 * The SwiGLU MLP's two matmuls with the activation fused into their epilogue
 * (shaders/matmul_quad.wgsl, swiglu_up_quad and swiglu_down_bwd_quad). They replace
 * up matmul + swigluForward and down backward matmul + swigluBackward with one dispatch each.
 * Only the quad kernels have them, so they run where those do (CPU emulators with subgroups);
 * elsewhere the engine keeps the separate ops.
 */
export function swigluFusable(gpu: Program['gpu'], inter: number, hidden: number): boolean {
  return quadOk(gpu) && inter % 4 === 0 && hidden % 4 === 0;
}

function params(M: number, N: number, K: number, ldb: number, transposeB: boolean, hasBias: boolean): ArrayBuffer {
  return packFor(MATMUL_QUAD, {
    M,
    N,
    K,
    lda: K,
    ldb,
    ldc: 2 * N,
    a_offset: 0,
    b_offset: 0,
    c_offset: 0,
    transpose_b: transposeB ? 1 : 0,
    accumulate: 0,
    has_bias: hasBias ? 1 : 0,
    bias_offset: 0,
  });
}

function check(label: string, ok: boolean, why: string): void {
  if (!ok) throw new Error(`${label}: ${why}`);
}

/**
 * gu = x·Wᵀ (+ bias) with W the fused [gate; up] weight [2I, K] (any format, rows ld elements
 * apart, default K), and h = silu(gate)·up: x [M, K], gu [M, 2I] (kept for the backward), h [M, I].
 */
export function swigluUp(p: Program, label: string, a: { x: Tensor; w: WeightOperand; ld?: number; bias?: Tensor; gu: Tensor; h: Tensor; M: number; I: number; K: number }): void {
  check(label, swigluFusable(p.gpu, a.I, a.K), `needs the quad kernels and I, K divisible by 4 (I=${a.I}, K=${a.K})`);
  const g = quadGrid(a.M, a.I);
  const w = asWeight(a.w);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(MATMUL_QUAD.shader, 'swiglu_up_quad', { constants: { QX: g.qx, QUADS: g.quads, HAS_BIAS: a.bias ? 1 : 0 }, ...weightReader(w) }),
    params: params(a.M, a.I, a.K, a.ld ?? a.K, true, !!a.bias),
    buffers: bindFor(MATMUL_QUAD, { A4: a.x, ...weightBindings(w), bias: a.bias ?? a.x, C4: a.gu, H4: a.h }),
    workgroups: g.workgroups,
  });
}

/**
 * dgu = SwiGLU backward of dh = dy·W_down: dy [M, K'], W_down [K', I] (Hugging Face [out, in]; any
 * format, rows ld elements apart, default I), gu [M, 2I] from the forward, dgu [M, 2I] overwritten
 * with (d gate | d up).
 */
export function swigluDownBackward(p: Program, label: string, a: { dy: Tensor; wDown: WeightOperand; ld?: number; gu: Tensor; dgu: Tensor; M: number; I: number; K: number }): void {
  check(label, swigluFusable(p.gpu, a.I, a.K), `needs the quad kernels and I, K divisible by 4 (I=${a.I}, K=${a.K})`);
  const g = quadGrid(a.M, a.I);
  const w = asWeight(a.wDown);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(MATMUL_QUAD.shader, 'swiglu_down_bwd_quad', { constants: { QX: g.qx, QUADS: g.quads }, ...weightReader(w) }),
    params: params(a.M, a.I, a.K, a.ld ?? a.I, false, false),
    buffers: bindFor(MATMUL_QUAD, { A4: a.dy, ...weightBindings(w), C4: a.dgu, GU4: a.gu }),
    workgroups: g.workgroups,
  });
}
