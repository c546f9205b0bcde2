import { packParams } from '../gpu/params.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';

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
  const params = packParams({ B: a.B, K: a.K, dim: a.dim });
  p.dispatch({
    label: `${label}.decide`,
    pipeline: p.gpu.kernel('best', 'best_decide'),
    params,
    buffers: { 1: a.itemCorrect, 2: a.itemLoss, 3: a.step, 4: a.bestCorrect, 5: a.bestLoss, 6: a.bestStep, 7: a.improved },
    workgroups: [Math.ceil(a.B / 64)],
  });
  p.dispatch({
    label: `${label}.copy`,
    pipeline: p.gpu.kernel('best', 'best_copy'),
    params,
    buffers: { 7: a.improved, 8: a.params, 9: a.rows, 10: a.bestParams },
    workgroups: [Math.ceil((a.B * a.K * a.dim) / 64)],
  });
}
