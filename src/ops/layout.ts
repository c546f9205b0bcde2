import { grid } from '../gpu/gpu.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { LAYOUT } from './signatures.ts';

const WG = 256;
const NONE = 0xffffffff;

function workgroups(p: Program, threads: number): [number, number, number] | [0] {
  return threads === 0 ? [0] : grid(Math.ceil(threads / WG), p.gpu.limits.maxWorkgroupsPerDimension);
}

/** out[r] = params[index[r]]; NONE rows are left untouched. See shaders/layout.wgsl. */
export function layoutForward(p: Program, label: string, a: { params: Tensor; index: Tensor; out: Tensor; rows: number; dim: number }): void {
  // Index entries past the params rows are skipped like NONE instead of reading out of bounds.
  const P = Math.floor(numel(a.params.shape) / a.dim);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(LAYOUT.shader, 'layout_forward'),
    params: packFor(LAYOUT, { rows: a.rows, dim: a.dim, P }),
    buffers: bindFor(LAYOUT, { index: a.index, params: a.params, out: a.out }),
    workgroups: workgroups(p, a.rows * a.dim),
  });
}

/**
 * dparams[q] = sum of dout over the input rows fed by params row q (overwrites dparams).
 * offsets [P+1] and rowsOf [rows] come from invertIndex.
 */
export function layoutBackward(p: Program, label: string, a: { dout: Tensor; offsets: Tensor; rowsOf: Tensor; dparams: Tensor; P: number; dim: number }): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(LAYOUT.shader, 'layout_backward'),
    params: packFor(LAYOUT, { rows: 0, dim: a.dim, P: a.P }),
    buffers: bindFor(LAYOUT, { dout: a.dout, offsets: a.offsets, rows_of: a.rowsOf, dparams: a.dparams }),
    workgroups: workgroups(p, a.P * a.dim),
  });
}

/**
 * The inverse of `index` in CSR form for layoutBackward: the rows fed by params row q are
 * rowsOf[offsets[q] .. offsets[q+1]), in increasing order (so the GPU sums in a fixed order).
 * rowsOf has index.length entries so it fits a [rows] tensor; entries past offsets[P] (one per
 * NONE row) are NONE and never read.
 */
export function invertIndex(index: Uint32Array, P: number): { offsets: Uint32Array; rowsOf: Uint32Array } {
  const offsets = new Uint32Array(P + 1);
  for (let r = 0; r < index.length; r++) {
    const q = index[r];
    if (q === NONE) continue;
    if (q >= P) throw new Error(`invertIndex: index[${r}] = ${q} is not a params row (P = ${P})`);
    offsets[q + 1]++;
  }
  for (let q = 0; q < P; q++) offsets[q + 1] += offsets[q];
  const rowsOf = new Uint32Array(index.length).fill(NONE);
  const next = offsets.slice(0, P);
  for (let r = 0; r < index.length; r++) {
    const q = index[r];
    if (q !== NONE) rowsOf[next[q]++] = r;
  }
  return { offsets, rowsOf };
}
