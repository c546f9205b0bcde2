import { grid } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { f32, packParams } from '../gpu/params.ts';

const WG = 256;

/** One invocation per element over a 2-D grid; see shaders/elementwise.wgsl. */
function record(p: Program, label: string, entry: string, n: number, s: number, buffers: Record<number, Tensor>): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${label}: bad element count ${n}`);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel('elementwise', entry, { constants: { WG } }),
    params: packParams({ n, s: f32(s) }),
    buffers,
    workgroups: n === 0 ? [0] : grid(Math.ceil(n / WG), p.gpu.limits.maxWorkgroupsPerDimension),
  });
}

/** out = a + b over n elements (out must be a third tensor). */
export function add(p: Program, label: string, a: { a: Tensor; b: Tensor; out: Tensor; n: number }): void {
  record(p, label, 'add', a.n, 0, { 1: a.a, 2: a.b, 3: a.out });
}

/** dst += src over n elements. */
export function addInPlace(p: Program, label: string, a: { dst: Tensor; src: Tensor; n: number }): void {
  record(p, label, 'add_in_place', a.n, 0, { 1: a.dst, 2: a.src });
}

/** dst = src·s over n elements. */
export function scale(p: Program, label: string, a: { src: Tensor; dst: Tensor; n: number; s: number }): void {
  record(p, label, 'scale', a.n, a.s, { 1: a.src, 2: a.dst });
}
