import { grid } from '../gpu/gpu.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { ROPE } from './signatures.ts';

export interface RopeArgs {
  /** [rows, ld], rotated in place (the gradient buffer for ropeBackward). */
  x: Tensor;
  /** [maxPos, rotDim] from ropeTable. */
  table: Tensor;
  rows: number;
  seqLen: number;
  posOffset: number;
  ld: number;
  colOffset: number;
  nHeads: number;
  headDim: number;
  rotDim: number;
}

const WG = 256;

/**
 * cos/sin table for rope.wgsl: row pos = cos(pos·invFreq_j) for j < rotDim/2, then the sines.
 * Angles in float64: an f32 product pos·invFreq is off by whole radians' worth of ulps at large pos.
 */
export function ropeTable(invFreq: Float64Array, maxPos: number): Float32Array {
  const half = invFreq.length;
  const rotDim = 2 * half;
  const out = new Float32Array(maxPos * rotDim);
  for (let pos = 0; pos < maxPos; pos++) {
    for (let j = 0; j < half; j++) {
      const angle = pos * invFreq[j];
      out[pos * rotDim + j] = Math.cos(angle);
      out[pos * rotDim + half + j] = Math.sin(angle);
    }
  }
  return out;
}

function check(label: string, a: RopeArgs): void {
  const bad = (why: string): never => {
    throw new Error(`${label}: ${why}`);
  };
  if (a.rotDim % 2 !== 0 || a.rotDim > a.headDim) bad(`rotDim ${a.rotDim} must be even and <= headDim ${a.headDim}`);
  if (a.seqLen < 1) bad('seqLen must be >= 1');
  if (a.colOffset + a.nHeads * a.headDim > a.ld) bad(`heads end at column ${a.colOffset + a.nHeads * a.headDim} > ld ${a.ld}`);
  if (a.rows * a.ld > numel(a.x.shape)) bad(`x holds ${numel(a.x.shape)} elements, rows*ld = ${a.rows * a.ld}`);
  const lastPos = a.posOffset + Math.min(a.seqLen, a.rows) - 1;
  if (a.rows > 0 && (lastPos + 1) * a.rotDim > numel(a.table.shape)) bad(`position ${lastPos} is beyond the rope table`);
}

function record(p: Program, label: string, a: RopeArgs, entry: string): void {
  check(label, a);
  const threads = a.rows * a.nHeads * (a.rotDim / 2);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(ROPE.shader, entry),
    params: packFor(ROPE, {
      rows: a.rows,
      seq_len: a.seqLen,
      pos_offset: a.posOffset,
      ld: a.ld,
      col_offset: a.colOffset,
      n_heads: a.nHeads,
      head_dim: a.headDim,
      rot_dim: a.rotDim,
    }),
    buffers: bindFor(ROPE, { x: a.x, table: a.table }),
    workgroups: threads === 0 ? [0] : grid(Math.ceil(threads / WG), p.gpu.limits.maxWorkgroupsPerDimension),
  });
}

/** Rotates the first rotDim columns of each head in place. See shaders/rope.wgsl. */
export function ropeForward(p: Program, label: string, a: RopeArgs): void {
  record(p, label, a, 'rope_forward');
}

/** The transpose of ropeForward (rotation by -angle), in place on the gradient buffer a.x. */
export function ropeBackward(p: Program, label: string, a: RopeArgs): void {
  record(p, label, a, 'rope_backward');
}
