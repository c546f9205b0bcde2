import type { Gpu } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { matmul } from '../ops/matmul.ts';
import type { WeightTensor } from '../ops/weight-operand.ts';
import { embeddingForward } from '../ops/embedding.ts';
import { dataWordsPerRow, decodeRows, encodeRows, rowStride, scaleWordsPerRow, type WeightFormat } from './weight-format.ts';

/**
 * A frozen linear layer y = x·Wᵀ + b with W [out, in] as Hugging Face stores it, held in one
 * weight format (weight-format.ts; the bias stays f32). A matrix larger than one storage binding
 * (a 50k x 768 output matrix is 154 MB in f32; users' GPUs often bind only 128 MiB) is split by
 * rows into chunks; each chunk is its own GPU buffer (and its own scales buffer when quantized).
 */
export interface Linear {
  readonly out: number;
  readonly in: number;
  readonly format: WeightFormat;
  readonly chunks: readonly WeightChunk[];
  readonly bias: Tensor | null;
}

/** Rows [rowStart, rowStart + rows) of a weight, stored in its format with row stride ld (elements). */
export interface WeightChunk extends WeightTensor {
  readonly rowStart: number;
  readonly rows: number;
  readonly ld: number;
}

/** The largest of a chunk's buffers, per row: what must fit in one storage binding. */
function bindingBytesPerRow(format: WeightFormat, cols: number): number {
  return 4 * Math.max(dataWordsPerRow(format, cols), scaleWordsPerRow(format, cols));
}

/** Rows per chunk so that one chunk fits in a storage binding. */
export function rowsPerChunk(format: WeightFormat, inFeatures: number, maxBindingBytes: number): number {
  return Math.max(1, Math.floor(maxBindingBytes / bindingBytesPerRow(format, inFeatures)));
}

/** The row ranges a [out, in] matrix is split into. */
export function chunkRows(format: WeightFormat, out: number, inFeatures: number, maxBindingBytes: number): { rowStart: number; rows: number }[] {
  const per = rowsPerChunk(format, inFeatures, maxBindingBytes);
  const ranges: { rowStart: number; rows: number }[] = [];
  for (let r = 0; r < out; r += per) ranges.push({ rowStart: r, rows: Math.min(per, out - r) });
  return ranges;
}

/**
 * The GPU buffers of one chunk, as shapes: data (f32 [rows, ld], or u32 words) and scales (u32
 * words, q8 and q4 only). The allocator and the memory plan both read this, so they agree.
 */
export function chunkBuffers(format: WeightFormat, rows: number, cols: number): { data: { shape: number[]; dtype: 'f32' | 'u32' }; scales: { shape: number[]; dtype: 'u32' } | null } {
  const data = format === 'f32' ? { shape: [rows, cols], dtype: 'f32' as const } : { shape: [rows * dataWordsPerRow(format, cols)], dtype: 'u32' as const };
  const sw = scaleWordsPerRow(format, cols);
  return { data, scales: sw > 0 ? { shape: [rows * sw], dtype: 'u32' } : null };
}

/** Allocates one chunk of a weight (zeroed: the row padding must read as 0). */
export function allocChunk(
  alloc: (shape: number[], label: string, dtype: 'f32' | 'u32') => Tensor,
  format: WeightFormat,
  range: { rowStart: number; rows: number },
  cols: number,
  label: string,
): WeightChunk {
  const b = chunkBuffers(format, range.rows, cols);
  return {
    format,
    data: alloc(b.data.shape, label, b.data.dtype),
    scales: b.scales ? alloc(b.scales.shape, `${label}.scales`, 'u32') : null,
    ld: rowStride(format, cols),
    ...range,
  };
}

/** Encodes dense rows [n, cols] in the chunk's format and writes them at the chunk's row `row`. */
export function writeChunkRows(gpu: Gpu, c: WeightChunk, row: number, values: Float32Array, cols: number): void {
  const n = values.length / cols;
  const enc = encodeRows(c.format, values, n, cols);
  gpu.write(c.data, enc.data, row * dataWordsPerRow(c.format, cols));
  if (c.scales) gpu.write(c.scales, enc.scales, row * scaleWordsPerRow(c.format, cols));
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
      b: c,
      ldb: c.ld,
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
      b: c,
      ldb: c.ld,
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

/**
 * out[r] = scale · W[ids[r]] for every row r (W an embedding table, any format): one gather per
 * chunk, each filling the rows whose id lies in it. Token embeddings go through embedTokens
 * (token-embedding.ts), which knows the model's scale.
 */
export function embedRows(p: Program, label: string, lin: Linear, ids: Tensor, out: Tensor, rows: number, scale = 1): void {
  for (const c of lin.chunks) {
    embeddingForward(p, `${label}[${c.rowStart}]`, { ids, table: c, ld: c.ld, rowStart: c.rowStart, chunkRows: c.rows, out, rows, dim: lin.in, scale });
  }
}

/** The whole matrix [out, in] as the kernels see it (decoded from its format): for CPU statistics and tests. */
export async function readLinear(gpu: Gpu, lin: Linear): Promise<Float32Array> {
  const out = new Float32Array(lin.out * lin.in);
  for (const c of lin.chunks) {
    const [data, scales] = await gpu.readMany(c.scales ? [c.data, c.scales] : [c.data]);
    const enc = { data: new Uint32Array(data.buffer), scales: scales ? new Uint32Array(scales.buffer) : new Uint32Array(0) };
    out.set(decodeRows(c.format, enc, c.rows, lin.in), c.rowStart * lin.in);
  }
  return out;
}
