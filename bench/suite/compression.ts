/**
 * The compression optimiser on stories260k: ms per optimisation step of an N-token text (the
 * figure issue 6's targets are set in), and time to accuracy 1.0 from a cold trainer with the
 * paper's settings (the end-to-end solve a user waits for).
 */
import type { Model } from '../../src/model/model.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { timeSteps, type StepTiming, type StepTimingOptions } from '../../src/prototokens/step-timing.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import type { BenchText } from './results.ts';
import { now, round } from './timing.ts';

export type StepResult = StepTiming;

/** ms per trainer step for an N-token text: see timeSteps (src/prototokens/step-timing.ts). */
export function benchSteps(model: Model, tokens: number[], o: StepTimingOptions): Promise<StepResult> {
  return timeSteps(model, tokens, o);
}

export interface SolveResult {
  id: string;
  N: number;
  solved: boolean;
  stoppedBy: string;
  /** Steps until every token was first right (optimise()'s `steps`). */
  steps: number;
  stepsExecuted: number;
  /** optimise() wall time (set-up excluded). */
  seconds: number;
  /** Trainer creation + optimise(). */
  totalSeconds: number;
  bestCorrect: number;
}

/** Time to accuracy 1.0 with PAPER_SETTINGS, seed 0, at most maxSteps steps. */
export async function benchSolve(model: Model, text: BenchText, maxSteps: number): Promise<SolveResult> {
  const t0 = now();
  const trainer = await ProtoTrainer.create(model, singleText(text.tokens, 0), { ...PAPER_SETTINGS, seed: 0, maxSteps });
  const r = await optimise(trainer);
  const t1 = now();
  trainer.destroy();
  return {
    id: text.id,
    N: text.tokens.length,
    solved: r.stoppedBy === 'solved',
    stoppedBy: r.stoppedBy,
    steps: r.steps,
    stepsExecuted: r.stepsExecuted,
    seconds: round(r.seconds, 3),
    totalSeconds: round((t1 - t0) / 1000, 3),
    bestCorrect: Math.max(...r.last.bestCorrect),
  };
}
