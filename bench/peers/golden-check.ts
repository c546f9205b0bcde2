/**
 * Does a peer's loss and gradient match the float64 golden values of
 * assets/fixtures/stories260k/golden.json (prototoken section)? Tolerances are those
 * assets/fixtures/README.md states for a correct f32 engine: the loss to 1e-4 relative, the
 * gradients to 1e-3 relative (as an L2 norm over the vector, and no element off by more than
 * 1e-3 of the vector's largest magnitude, so tiny elements are not held to a relative bound).
 */
import type { LossAndGrads } from './peer.ts';

export const TOLERANCE = { lossRel: 1e-4, gradRelL2: 1e-3, gradMaxAbsOfMax: 1e-3 } as const;

export interface GoldenProto {
  N: number;
  target_ids: number[];
  e: number[];
  m: number[];
  loss_sum: number;
  grad_e: number[];
  grad_m: number[];
}

export interface GoldenVerdict {
  ok: boolean;
  loss: number;
  goldenLoss: number;
  lossRel: number;
  gradERelL2: number;
  gradMRelL2: number;
  gradEMaxAbsOfMax: number;
  gradMMaxAbsOfMax: number;
  /** What failed, in words; empty when ok. */
  reason: string;
}

function errors(got: ArrayLike<number>, want: number[]): { relL2: number; maxAbsOfMax: number } {
  if (got.length !== want.length) return { relL2: Infinity, maxAbsOfMax: Infinity };
  let num = 0;
  let den = 0;
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < want.length; i++) {
    const diff = got[i] - want[i];
    num += diff * diff;
    den += want[i] * want[i];
    maxErr = Math.max(maxErr, Number.isFinite(diff) ? Math.abs(diff) : Infinity);
    maxRef = Math.max(maxRef, Math.abs(want[i]));
  }
  return { relL2: Math.sqrt(num / den), maxAbsOfMax: maxErr / maxRef };
}

export function checkGolden(got: LossAndGrads, g: GoldenProto): GoldenVerdict {
  const lossRel = Math.abs(got.loss - g.loss_sum) / Math.abs(g.loss_sum);
  const ge = errors(got.gradE, g.grad_e);
  const gm = errors(got.gradM, g.grad_m);
  const fails: string[] = [];
  if (!(lossRel <= TOLERANCE.lossRel)) fails.push(`loss ${got.loss} against ${g.loss_sum} (relative ${lossRel.toExponential(2)} > ${TOLERANCE.lossRel})`);
  for (const [name, e] of [['grad e', ge], ['grad m', gm]] as const) {
    if (!(e.relL2 <= TOLERANCE.gradRelL2)) fails.push(`${name} relative L2 error ${e.relL2.toExponential(2)} > ${TOLERANCE.gradRelL2}`);
    if (!(e.maxAbsOfMax <= TOLERANCE.gradMaxAbsOfMax)) fails.push(`${name} max error ${e.maxAbsOfMax.toExponential(2)} of its largest element > ${TOLERANCE.gradMaxAbsOfMax}`);
  }
  return {
    ok: fails.length === 0,
    loss: got.loss,
    goldenLoss: g.loss_sum,
    lossRel,
    gradERelL2: ge.relL2,
    gradMRelL2: gm.relL2,
    gradEMaxAbsOfMax: ge.maxAbsOfMax,
    gradMMaxAbsOfMax: gm.maxAbsOfMax,
    reason: fails.join('; '),
  };
}
