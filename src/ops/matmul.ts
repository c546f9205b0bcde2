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

const THREADS = 64;

const aligned = (...xs: number[]) => xs.every((v) => v % 4 === 0);

/** The vec4 entry points need every float offset and stride along K (and N for dy·W) divisible by 4. */
function entryFor(x: MatmulArgs, lda: number, ldb: number): string {
  const offs = [x.aOffset ?? 0, x.bOffset ?? 0, lda, ldb, x.K];
  if (x.transposeB) return aligned(...offs) ? 'matmul_nt_vec4' : 'matmul';
  return aligned(...offs, x.N) ? 'matmul_nn_vec4' : 'matmul';
}

/** Records C = A·op(B) (+bias) (+C). See shaders/matmul.wgsl for the layout. */
export function matmul(prog: Program, label: string, x: MatmulArgs): void {
  const lda = x.lda ?? x.K;
  const ldb = x.ldb ?? (x.transposeB ? x.K : x.N);
  // Few rows (a short text) would leave most of a square workgroup idle: give short, wide tiles.
  const wgY = Math.min(8, Math.max(1, 2 ** Math.ceil(Math.log2(Math.ceil(x.M / 4)))));
  const wgX = THREADS / wgY;
  const pipeline = prog.gpu.kernel('matmul', entryFor(x, lda, ldb), { constants: { WG_X: wgX, WG_Y: wgY } });
  prog.dispatch({
    label,
    pipeline,
    params: packParams({
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
    // Without a bias the binding still needs a buffer; A is read-only and never indexed there.
    buffers: { 1: x.a, 2: x.b, 3: x.bias ?? x.a, 4: x.c },
    workgroups: [Math.ceil(x.N / (4 * wgX)), Math.ceil(x.M / (4 * wgY))],
  });
}
