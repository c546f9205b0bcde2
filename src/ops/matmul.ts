import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { bindFor, packFor, type BoundBuffers } from '../gpu/kernel-signature.ts';
import type { Gpu, Kernel } from '../gpu/gpu.ts';
import { MATMUL, MATMUL_QUAD } from './signatures.ts';
import { asWeight, weightBindings, weightReader, type WeightOperand } from './weight-operand.ts';

export interface MatmulArgs {
  a: Tensor;
  /** The weight, in any storage format (ldb and bOffset count its elements). */
  b: WeightOperand;
  c: Tensor;
  bias?: Tensor;
  M: number;
  N: number;
  K: number;
  /** true: B is [N, K] (x·Wᵀ, the forward of a linear layer); false: B is [K, N] (dy·W). */
  transposeB: boolean;
  accumulate?: boolean;
  lda?: number;
  ldb?: number;
  ldc?: number;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  /** Element offset into bias (a row chunk of a split weight uses its slice of the bias). */
  biasOffset?: number;
  /** Force a kernel (tests, benchmarks); 'auto' by default. */
  path?: MatmulPath;
}

const THREADS = 64;

/**
 * Which kernel computes the product. 'scalar': matmul.wgsl's any-shape path; 'vec4': its vec4
 * paths (alignment needed); 'quad': matmul_quad.wgsl (vec4 alignment, the subgroups feature, and a
 * CPU emulator, where a quad is one SIMD group). 'auto' takes the fastest one the shapes allow.
 */
export type MatmulPath = 'auto' | 'scalar' | 'vec4' | 'quad';

const aligned = (...xs: number[]) => xs.every((v) => v % 4 === 0);

/** The vec4 and quad entry points need every float offset and stride along K (and N for dy·W) divisible by 4. */
function vec4Ok(x: MatmulArgs, lda: number, ldb: number): boolean {
  const offs = [x.aOffset ?? 0, x.bOffset ?? 0, lda, ldb, x.K];
  return x.transposeB ? aligned(...offs) : aligned(...offs, x.N);
}

/** The quad kernels run here (a CPU emulator with subgroups, where a quad is one SIMD group). */
export function quadOk(gpu: Gpu): boolean {
  return gpu.features.subgroups && gpu.cpuEmulated;
}

function choosePath(gpu: Gpu, x: MatmulArgs, lda: number, ldb: number): Exclude<MatmulPath, 'auto'> {
  const want = x.path ?? 'auto';
  const v4 = vec4Ok(x, lda, ldb);
  if (want === 'scalar') return 'scalar';
  if (want !== 'auto' && !v4) throw new Error(`matmul path '${want}' needs K, strides and offsets (and N for dy·W) divisible by 4`);
  if (want === 'quad' && !quadOk(gpu)) throw new Error("matmul path 'quad' needs the subgroups feature on a CPU-emulated adapter");
  if (want !== 'auto') return want;
  if (!v4) return 'scalar';
  return quadOk(gpu) ? 'quad' : 'vec4';
}

/** A's and B's row strides: dense rows unless given. */
function strides(x: MatmulArgs): { lda: number; ldb: number } {
  return { lda: x.lda ?? x.K, ldb: x.ldb ?? (x.transposeB ? x.K : x.N) };
}

/** The kernel `matmul` records for these args (benchmarks name it from here, so they cannot disagree). */
export function matmulPath(gpu: Gpu, x: MatmulArgs): Exclude<MatmulPath, 'auto'> {
  const { lda, ldb } = strides(x);
  return choosePath(gpu, x, lda, ldb);
}

/** Rows per workgroup as a power of two: few rows (a short text) get short, wide workgroups. */
export function rowsPow2(M: number, unit: number, max: number): number {
  return Math.min(max, Math.max(1, 2 ** Math.ceil(Math.log2(Math.ceil(M / unit)))));
}

/**
 * Workgroups a quad product is split into at least, where it has that many 8 x 8 blocks. SwiftShader
 * runs each workgroup as one task on its thread pool, so a short text's product (16 rows: 2 block
 * rows) in 16-quad workgroups left cores idle: stories260k's MLP backward at N = 16 was 1 workgroup
 * for 2 cores, and gpt-neox-tiny's 16 x 64 output-layer backward, a 50304-long reduction, ran on one.
 * 16 keeps 4 tasks per core on 4 cores; measured on 2 cores, 8 or 32 give the same times.
 */
export const QUAD_MIN_WORKGROUPS = 16;

/**
 * matmul_quad.wgsl's workgroups: QUADS quads (16, or fewer for small products, see
 * QUAD_MIN_WORKGROUPS) of 8 x 8 outputs each, QY x QX of them.
 */
export function quadGrid(M: number, N: number): { qx: number; quads: number; workgroups: [number, number] } {
  const blocks = Math.ceil(M / 8) * Math.ceil(N / 8);
  let quads = 16;
  while (quads > 1 && blocks < QUAD_MIN_WORKGROUPS * quads) quads /= 2;
  const qy = rowsPow2(M, 8, quads);
  const qx = quads / qy;
  return { qx, quads, workgroups: [Math.ceil(N / (8 * qx)), Math.ceil(M / (8 * qy))] };
}

/** Records C = A·op(B) (+bias) (+C). See shaders/matmul.wgsl for the layout. */
export function matmul(prog: Program, label: string, x: MatmulArgs): void {
  const { lda, ldb } = strides(x);
  const path = choosePath(prog.gpu, x, lda, ldb);
  let pipeline: Kernel;
  let workgroups: [number, number];
  let buffers: BoundBuffers;
  // Without a bias the binding still needs a buffer; A is read-only and never indexed there.
  const bias = x.bias ?? x.a;
  const w = asWeight(x.b);
  const reader = weightReader(w);
  if (path === 'quad') {
    const g = quadGrid(x.M, x.N);
    // vec4 stores where C's rows allow them (matmul_quad.wgsl: a scalar store costs a 4-lane scatter there).
    const store4 = aligned(x.N, x.ldc ?? x.N, x.cOffset ?? 0) ? '_v4' : '';
    pipeline = prog.gpu.kernel(MATMUL_QUAD.shader, `${x.transposeB ? 'matmul_nt_quad' : 'matmul_nn_quad'}${store4}`, {
      constants: { QX: g.qx, QUADS: g.quads, HAS_BIAS: x.bias ? 1 : 0, ACCUMULATE: x.accumulate ? 1 : 0 },
      ...reader,
    });
    workgroups = g.workgroups;
    buffers = bindFor(MATMUL_QUAD, { A4: x.a, ...weightBindings(w), bias, ...(store4 ? { C4: x.c } : { C: x.c }) });
  } else {
    const wgY = rowsPow2(x.M, 4, 8);
    const wgX = THREADS / wgY;
    const entry = path === 'scalar' ? 'matmul' : x.transposeB ? 'matmul_nt_vec4' : 'matmul_nn_vec4';
    pipeline = prog.gpu.kernel(MATMUL.shader, entry, { constants: { WG_X: wgX, WG_Y: wgY }, ...reader });
    workgroups = [Math.ceil(x.N / (4 * wgX)), Math.ceil(x.M / (4 * wgY))];
    buffers = bindFor(MATMUL, { ...(path === 'scalar' ? { A: x.a } : { A4: x.a }), ...weightBindings(w), bias, C: x.c });
  }
  prog.dispatch({
    label,
    pipeline,
    // matmul.wgsl and matmul_quad.wgsl declare the same Params.
    params: packFor(MATMUL, {
      M: x.M,
      N: x.N,
      K: x.K,
      lda,
      ldb,
      ldc: x.ldc ?? x.N,
      a_offset: x.aOffset ?? 0,
      b_offset: x.bOffset ?? 0,
      c_offset: x.cOffset ?? 0,
      transpose_b: x.transposeB ? 1 : 0,
      accumulate: x.accumulate ? 1 : 0,
      has_bias: x.bias ? 1 : 0,
      bias_offset: x.biasOffset ?? 0,
    }),
    buffers,
    workgroups,
  });
}
