import { grid } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import { bindFor, packFor, type BuffersOf } from '../gpu/kernel-signature.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { ACTIVATIONS } from './signatures.ts';

const WG = 256;

/** One thread per output element (n of them); see shaders/activations.wgsl. */
function record(p: Program, label: string, entry: string, n: number, inter: number, buffers: BuffersOf<typeof ACTIVATIONS>): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(inter) || inter < 1) throw new Error(`${label}: bad size n=${n} inter=${inter}`);
  p.dispatch({
    label,
    pipeline: p.gpu.kernel(ACTIVATIONS.shader, entry, { constants: { WG } }),
    params: packFor(ACTIVATIONS, { n, inter }),
    buffers: bindFor(ACTIVATIONS, buffers),
    workgroups: n === 0 ? [0] : grid(Math.ceil(n / WG), p.gpu.limits.maxWorkgroupsPerDimension),
  });
}

/**
 * GELU over n elements: exact (erf), y = x·Φ(x); or with `tanh` its tanh approximation (GPT-2's
 * gelu_new, torch's approximate='tanh'), y = x·(1 + tanh(√(2/π)(x + 0.044715x³)))/2.
 */
export function geluForward(p: Program, label: string, a: { x: Tensor; y: Tensor; n: number; tanh?: boolean }): void {
  record(p, label, a.tanh ? 'gelu_tanh_forward' : 'gelu_forward', a.n, 1, { x: a.x, y: a.y });
}

/** dx = dy·GELU'(x) (overwritten), for the same GELU as geluForward's `tanh`. */
export function geluBackward(p: Program, label: string, a: { x: Tensor; dy: Tensor; dx: Tensor; n: number; tanh?: boolean }): void {
  record(p, label, a.tanh ? 'gelu_tanh_backward' : 'gelu_backward', a.n, 1, { x: a.x, dy: a.dy, dx: a.dx });
}

/** The gate's activation in a gated MLP: SiLU (SwiGLU, Llama) or the tanh GELU (GeGLU, Gemma). */
export type GateActivation = 'silu' | 'gelu_tanh';

const GATED = { silu: 'swiglu', gelu_tanh: 'geglu' } as const;

/** h = act(gate)·up, with gate and up the two column halves of gu [rows, 2·inter]; act SiLU unless given. */
export function swigluForward(p: Program, label: string, a: { gu: Tensor; h: Tensor; rows: number; inter: number; act?: GateActivation }): void {
  record(p, label, `${GATED[a.act ?? 'silu']}_forward`, a.rows * a.inter, a.inter, { x: a.gu, y: a.h });
}

/** dgu [rows, 2·inter] = (d gate | d up) for upstream dh (overwritten), for the same act as swigluForward's. */
export function swigluBackward(p: Program, label: string, a: { gu: Tensor; dh: Tensor; dgu: Tensor; rows: number; inter: number; act?: GateActivation }): void {
  record(p, label, `${GATED[a.act ?? 'silu']}_backward`, a.rows * a.inter, a.inter, { x: a.gu, dy: a.dh, dx: a.dgu });
}
