import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { packParams } from '../gpu/params.ts';

export interface MatmulArgs {
  a: Tensor;
  b: Tensor;
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
}

const WG = 8;
const TILE = 4 * WG; // rows (and columns) of C per workgroup

/** Records C = A·op(B) (+bias) (+C). See shaders/matmul.wgsl for the layout. */
export function matmul(prog: Program, label: string, x: MatmulArgs): void {
  const pipeline = prog.gpu.kernel('matmul', 'matmul', { constants: { WG_X: WG, WG_Y: WG } });
  prog.dispatch({
    label,
    pipeline,
    params: packParams({
      M: x.M,
      N: x.N,
      K: x.K,
      lda: x.lda ?? x.K,
      ldb: x.ldb ?? (x.transposeB ? x.K : x.N),
      ldc: x.ldc ?? x.N,
      a_offset: x.aOffset ?? 0,
      b_offset: x.bOffset ?? 0,
      c_offset: x.cOffset ?? 0,
      transpose_b: x.transposeB ? 1 : 0,
      accumulate: x.accumulate ? 1 : 0,
      has_bias: x.bias ? 1 : 0,
      bias_offset: x.biasOffset ?? 0,
    }),
    // Without a bias the binding still needs a buffer; A is read-only and never indexed there.
    buffers: { 1: x.a, 2: x.b, 3: x.bias ?? x.a, 4: x.c },
    workgroups: [Math.ceil(x.N / TILE), Math.ceil(x.M / TILE)],
  });
}
