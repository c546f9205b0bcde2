import { bindFor, packFor } from '../gpu/kernel-signature.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { BEST } from './signatures.ts';

export interface BestState {
  bestCorrect: Tensor; // u32 [B]
  bestLoss: Tensor; // [B]
  bestStep: Tensor; // u32 [B], NONE until set
  improved: Tensor; // u32 [B]
  bestParams: Tensor; // [B, K, dim]
}

/** Records the keep-the-best bookkeeping of shaders/best.wgsl (decide, then copy). */
export function trackBest(
  p: Program,
  label: string,
  a: BestState & { itemCorrect: Tensor; itemLoss: Tensor; step: Tensor; params: Tensor; rows: Tensor; B: number; K: number; dim: number },
): void {
  const params = packFor(BEST, { B: a.B, K: a.K, dim: a.dim });
  p.dispatch({
    label: `${label}.decide`,
    pipeline: p.gpu.kernel(BEST.shader, 'best_decide'),
    params,
    buffers: bindFor(BEST, {
      item_correct: a.itemCorrect,
      item_loss: a.itemLoss,
      step: a.step,
      best_correct: a.bestCorrect,
      best_loss: a.bestLoss,
      best_step: a.bestStep,
      improved: a.improved,
    }),
    workgroups: [Math.ceil(a.B / 64)],
  });
  p.dispatch({
    label: `${label}.copy`,
    pipeline: p.gpu.kernel(BEST.shader, 'best_copy'),
    params,
    buffers: bindFor(BEST, { improved: a.improved, params: a.params, rows: a.rows, best_params: a.bestParams }),
    workgroups: [Math.ceil((a.B * a.K * a.dim) / 64)],
  });
}
