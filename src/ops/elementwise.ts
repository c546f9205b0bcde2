import { grid } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import { bindFor, packFor, type BuffersOf } from '../gpu/kernel-signature.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { ELEMENTWISE } from './signatures.ts';

const WG = 256;

/** One invocation per element over a 2-D grid; see shaders/elementwise.wgsl. */
function record(p: Program, label: string, entry: string, n: number, s: number, buffers: BuffersOf<typeof ELEMENTWISE>): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${label}: bad element count ${n}`);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(ELEMENTWISE.shader, entry, { constants: { WG } }),
    params: packFor(ELEMENTWISE, { n, s }),
    buffers: bindFor(ELEMENTWISE, buffers),
    workgroups: n === 0 ? [0] : grid(Math.ceil(n / WG), p.gpu.limits.maxWorkgroupsPerDimension),
  });
}

/** out = a + b over n elements (out must be a third tensor). */
export function add(p: Program, label: string, a: { a: Tensor; b: Tensor; out: Tensor; n: number }): void {
  record(p, label, 'add', a.n, 0, { a: a.a, b: a.b, sum_out: a.out });
}

/** dst += src over n elements. */
export function addInPlace(p: Program, label: string, a: { dst: Tensor; src: Tensor; n: number }): void {
  record(p, label, 'add_in_place', a.n, 0, { acc_dst: a.dst, acc_src: a.src });
}

/** dst = src·s over n elements. */
export function scale(p: Program, label: string, a: { src: Tensor; dst: Tensor; n: number; s: number }): void {
  record(p, label, 'scale', a.n, a.s, { scale_src: a.src, scale_dst: a.dst });
}
