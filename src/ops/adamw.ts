import { grid } from '../gpu/gpu.ts';
import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { ADAMW } from './signatures.ts';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

const WG = 256;

function params(n: number, dim: number, masked: boolean, h: AdamWHyper): ArrayBuffer {
  return packFor(ADAMW, {
    n,
    dim,
    has_mask: masked ? 1 : 0,
    lr: h.lr,
    beta1: h.beta1,
    beta2: h.beta2,
    eps: h.eps,
    weight_decay: h.weightDecay,
  });
}

const NO_HYPER: AdamWHyper = { lr: 0, beta1: 0, beta2: 0, eps: 0, weightDecay: 0 };

/** step[0] += 1 on the GPU (one thread), so the update that follows reads the new step number. */
export function adamwTick(p: Program, label: string, a: { step: Tensor }): void {
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(ADAMW.shader, 'adamw_tick'),
    // The tick reads no parameter, but the entry point shares the update's uniform layout.
    params: params(0, 1, false, NO_HYPER),
    buffers: bindFor(ADAMW, { step_counter: a.step }),
    workgroups: [1],
  });
}

/**
 * One AdamW update of n parameters (rows of dim) with t = step[0]; rows whose rowMask entry is 0
 * are left untouched. See shaders/adamw.wgsl.
 */
export function adamwUpdate(
  p: Program,
  label: string,
  a: { params: Tensor; grads: Tensor; m: Tensor; v: Tensor; step: Tensor; n: number; dim: number; rowMask?: Tensor; hyper: AdamWHyper },
): void {
  if (a.dim < 1 || a.n % a.dim !== 0) throw new Error(`${label}: n = ${a.n} is not a whole number of rows of ${a.dim}`);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(ADAMW.shader, 'adamw_update'),
    params: params(a.n, a.dim, a.rowMask !== undefined, a.hyper),
    // Without a mask the binding still needs a buffer; grads is read-only and never indexed there.
    buffers: bindFor(ADAMW, { params: a.params, grads: a.grads, m: a.m, v: a.v, step: a.step, row_mask: a.rowMask ?? a.grads }),
    workgroups: a.n === 0 ? [0] : grid(Math.ceil(a.n / WG), p.gpu.limits.maxWorkgroupsPerDimension),
  });
}
