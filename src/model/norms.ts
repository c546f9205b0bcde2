import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelSpec } from './config.ts';
import type { NormWeights } from './weights.ts';
import { rmsnormForward, rmsnormBackward, layernormForward, layernormBackward } from '../ops/norm.ts';

/** What a norm keeps for its backward pass: rstd always, the mean for LayerNorm. */
export interface NormStats {
  rstd: Tensor;
  mean: Tensor | null;
}

/** Llama uses RMSNorm, GPT-NeoX LayerNorm; the transformer code is written once for both. */
export function normForward(p: Program, label: string, spec: ModelSpec, w: NormWeights, x: Tensor, y: Tensor, st: NormStats, rows: number): void {
  if (spec.norm === 'rmsnorm') {
    rmsnormForward(p, label, { x, w: w.w, y, rstd: st.rstd, rows, dim: spec.hidden, eps: spec.normEps });
  } else {
    layernormForward(p, label, { x, w: w.w, b: w.b!, y, mean: st.mean!, rstd: st.rstd, rows, dim: spec.hidden, eps: spec.normEps });
  }
}

/** dx (+)= the input gradient of the norm, given dy. */
export function normBackward(p: Program, label: string, spec: ModelSpec, w: NormWeights, x: Tensor, st: NormStats, dy: Tensor, dx: Tensor, rows: number, accumulate: boolean): void {
  if (spec.norm === 'rmsnorm') {
    rmsnormBackward(p, label, { x, w: w.w, rstd: st.rstd, dy, dx, rows, dim: spec.hidden, accumulate });
  } else {
    layernormBackward(p, label, { x, w: w.w, mean: st.mean!, rstd: st.rstd, dy, dx, rows, dim: spec.hidden, accumulate });
  }
}
