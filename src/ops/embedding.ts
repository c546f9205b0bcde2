import { grid } from '../gpu/gpu.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { EMBEDDING } from './signatures.ts';
import { asWeight, weightBindings, weightReader, type WeightOperand } from './weight-operand.ts';

const WG = 256;

function workgroups(p: Program, threads: number): [number, number, number] | [0] {
  return threads === 0 ? [0] : grid(Math.ceil(threads / WG), p.gpu.limits.maxWorkgroupsPerDimension);
}

/**
 * out[r] = scale · table[ids[r] - rowStart] for rows whose id lies in this row chunk of the
 * embedding table; other rows (and NONE ids) are left untouched. One call per chunk. The table is
 * in any weight format, its rows `ld` elements apart (default dim); scale defaults to 1. See
 * shaders/embedding.wgsl.
 */
export function embeddingForward(
  p: Program,
  label: string,
  a: { ids: Tensor; table: WeightOperand; ld?: number; rowStart: number; chunkRows: number; out: Tensor; rows: number; dim: number; scale?: number },
): void {
  const table = asWeight(a.table);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(EMBEDDING.shader, 'embedding_forward', weightReader(table)),
    params: packFor(EMBEDDING, { rows: a.rows, dim: a.dim, row_start: a.rowStart, chunk_rows: a.chunkRows, ld: a.ld ?? a.dim, scale: a.scale ?? 1 }),
    buffers: bindFor(EMBEDDING, { ids: a.ids, ...weightBindings(table), out: a.out }),
    workgroups: workgroups(p, a.rows * a.dim),
  });
}

/** dtable[id - rowStart] += scale · dout[r] for the rows whose id lies in this chunk (deterministic, no atomics). */
export function embeddingBackward(
  p: Program,
  label: string,
  a: { ids: Tensor; dout: Tensor; dtable: Tensor; rowStart: number; chunkRows: number; rows: number; dim: number; scale?: number },
): void {
  p.dispatch({
    label,
    // The backward reads no weight; the f32 reader is appended only so the module is whole.
    pipeline: p.gpu.kernel(EMBEDDING.shader, 'embedding_backward', { append: ['weights/f32'] }),
    params: packFor(EMBEDDING, { rows: a.rows, dim: a.dim, row_start: a.rowStart, chunk_rows: a.chunkRows, ld: a.dim, scale: a.scale ?? 1 }),
    buffers: bindFor(EMBEDDING, { ids: a.ids, dout: a.dout, dtable: a.dtable }),
    workgroups: workgroups(p, a.chunkRows * a.dim),
  });
}
