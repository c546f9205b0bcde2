import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { matmul } from '../ops/matmul.ts';

/**
 * A frozen linear layer y = x·Wᵀ + b with W [out, in] as Hugging Face stores it. A matrix larger
 * than one storage binding (a 50k x 768 output matrix is 154 MB in f32; users' GPUs often bind
 * only 128 MiB) is split by rows into chunks; each chunk is its own GPU buffer.
 */
export interface Linear {
  readonly out: number;
  readonly in: number;
  readonly chunks: readonly WeightChunk[];
  readonly bias: Tensor | null;
}

export interface WeightChunk {
  readonly w: Tensor; // [rows, in]
  readonly rowStart: number;
  readonly rows: number;
}

/** Rows per chunk so that one chunk fits in a storage binding. */
export function rowsPerChunk(inFeatures: number, maxBindingBytes: number): number {
  return Math.max(1, Math.floor(maxBindingBytes / (inFeatures * 4)));
}

/**
 * y[:, cols] (+)= x·Wᵀ + b for rows of x; y has row stride ldy (default W's out). With accumulate
 * the branch adds straight into y (a residual stream), which saves a separate add.
 */
export function linearForward(
  p: Program,
  label: string,
  lin: Linear,
  x: Tensor,
  y: Tensor,
  rows: number,
  opts: { ldy?: number; yOffset?: number; accumulate?: boolean } = {},
): void {
  for (const c of lin.chunks) {
    matmul(p, `${label}[${c.rowStart}]`, {
      a: x,
      b: c.w,
      c: y,
      bias: lin.bias ?? undefined,
      biasOffset: c.rowStart,
      M: rows,
      N: c.rows,
      K: lin.in,
      transposeB: true,
      ldc: opts.ldy ?? lin.out,
      cOffset: (opts.yOffset ?? 0) + c.rowStart,
      accumulate: opts.accumulate,
    });
  }
}

/** dx (+)= dy·W: the input gradient of the layer (weights are frozen, so this is all of backward). */
export function linearBackward(p: Program, label: string, lin: Linear, dy: Tensor, dx: Tensor, rows: number, accumulate: boolean, lddy = lin.out, dyOffset = 0): void {
  lin.chunks.forEach((c, i) => {
    matmul(p, `${label}[${c.rowStart}]`, {
      a: dy,
      b: c.w,
      c: dx,
      M: rows,
      N: lin.in,
      K: c.rows,
      transposeB: false,
      lda: lddy,
      aOffset: dyOffset + c.rowStart,
      accumulate: accumulate || i > 0,
    });
  });
}
