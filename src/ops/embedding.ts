import { grid } from '../gpu/gpu.ts';
import { packParams } from '../gpu/params.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';

const WG = 256;

function workgroups(p: Program, threads: number): [number, number, number] | [0] {
  return threads === 0 ? [0] : grid(Math.ceil(threads / WG), p.gpu.limits.maxWorkgroupsPerDimension);
}

/**
 * out[r] = table[ids[r] - rowStart] for rows whose id lies in this row chunk of the embedding
 * table; other rows (and NONE ids) are left untouched. One call per chunk. See shaders/embedding.wgsl.
 */
export function embeddingForward(
  p: Program,
  label: string,
  a: { ids: Tensor; table: Tensor; rowStart: number; chunkRows: number; out: Tensor; rows: number; dim: number },
): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('embedding', 'embedding_forward'),
    params: packParams({ rows: a.rows, dim: a.dim, row_start: a.rowStart, chunk_rows: a.chunkRows }),
    buffers: { 1: a.ids, 2: a.table, 3: a.out },
    workgroups: workgroups(p, a.rows * a.dim),
  });
}

/** dtable[id - rowStart] += dout[r] for the rows whose id lies in this chunk (deterministic, no atomics). */
export function embeddingBackward(
  p: Program,
  label: string,
  a: { ids: Tensor; dout: Tensor; dtable: Tensor; rowStart: number; chunkRows: number; rows: number; dim: number },
): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('embedding', 'embedding_backward'),
    params: packParams({ rows: a.rows, dim: a.dim, row_start: a.rowStart, chunk_rows: a.chunkRows }),
    buffers: { 1: a.ids, 4: a.dout, 5: a.dtable },
    workgroups: workgroups(p, a.chunkRows * a.dim),
  });
}
