/**
 * The encoder's warm-start measurement (issue 19's target): how many of the paper's optimisation
 * steps a text needs to be reproduced whole (accuracy 1.0) from the encoder's prediction, against
 * from the ordinary draw. Both run as items of one batch, each with its own e and m, so they see
 * the same optimiser, step budget and adapter.
 */
import type { Model } from '../model/model.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import type { ProtoReport } from '../prototokens/input-trainer.ts';
import type { ProtoProblem } from '../prototokens/problem.ts';
import { ProtoTrainer, type ProtoVectors } from '../prototokens/trainer.ts';
import { optimise, type Gate } from '../prototokens/optimise.ts';

export interface SolveItem {
  tokens: number[];
  /** Where e and m start: given vectors, or null for the seeded draw. */
  start: ProtoVectors | null;
  seed: number;
}

/**
 * Per item, the step (at the report granularity, as sweep records count it) at which its best
 * reached every token, or null if it did not within settings.maxSteps. `gate` (the page's
 * pause / stop) ends it early; items not solved by then are null.
 */
export async function stepsToSolve(model: Model, items: SolveItem[], settings: ProtoSettings, onReport?: (step: number, solved: number) => void, gate?: Gate): Promise<(number | null)[]> {
  const initial = new Map<number, Float32Array>();
  items.forEach((it, i) => {
    if (it.start) {
      initial.set(2 * i, it.start.e);
      initial.set(2 * i + 1, it.start.m);
    }
  });
  const problem: ProtoProblem = {
    targets: items.map((it) => it.tokens),
    seeds: items.map((it) => it.seed),
    eRow: items.map((_, i) => 2 * i),
    mRow: items.map((_, i) => 2 * i + 1),
    P: 2 * items.length,
    fixed: new Map(),
    initial,
  };
  const trainer = await ProtoTrainer.create(model, problem, settings);
  const solvedAt: (number | null)[] = items.map(() => null);
  const note = (r: ProtoReport) =>
    r.bestCorrect.forEach((c, i) => {
      if (solvedAt[i] === null && c === items[i].tokens.length) solvedAt[i] = r.step;
    });
  try {
    const r = await optimise(trainer, {
      gate,
      onReport: (rep) => {
        note(rep);
        onReport?.(rep.step, solvedAt.filter((s) => s !== null).length);
      },
    });
    note(r.last);
    return solvedAt;
  } finally {
    trainer.destroy();
  }
}
