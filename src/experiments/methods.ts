/**
 * Optimisation methods the sweep can run. A method takes a batch (texts x restart seeds, maybe
 * sharing a vector within groups) and reports, per item, the best number of correct tokens and
 * the step that reached it: the same per-item result optimise() gives for the one-shot method.
 */
import type { Model } from '../model/model.ts';
import { ProtoTrainer, type ProtoReport } from '../prototokens/trainer.ts';
import { optimise } from '../prototokens/optimise.ts';
import { planLayout } from '../prototokens/layouts.ts';
import { textsWithRestarts, type Share } from '../prototokens/problem.ts';
import type { ProtoSettings } from '../prototokens/settings.ts';
import type { MethodName } from './records.ts';

export interface MethodBatch {
  /** Targets, all of the same length N. */
  texts: number[][];
  /** Restart seeds per text (the same count for every text). */
  seeds: number[][];
  share: Share;
  group: number;
}

export interface MethodHooks {
  /** After each metrics readback: steps done and each item's best correct count (item t·S + s). */
  onReport?: (step: number, bestCorrect: readonly number[]) => void;
  /** Asked before each batch of steps is queued; true ends the run now (the result still counts). */
  shouldStop?: () => boolean;
}

export interface MethodRun {
  /**
   * Per item (text t, seed s at t·S + s): best correct tokens, and the steps done when that count
   * was first seen (metrics are read every reportEvery steps, so it is exact to that interval).
   */
  bestCorrect: number[];
  bestStep: number[];
  stepsRun: number;
  stoppedBy: string;
}

export interface SweepMethod {
  name: MethodName;
  /** Input positions a text of N tokens needs (the ladder stops where the model has fewer). */
  positions(N: number, settings: ProtoSettings): number;
  run(model: Model, batch: MethodBatch, settings: ProtoSettings, hooks?: MethodHooks): Promise<MethodRun>;
}

/** The paper's method: [e, m, ..., m] in one forward pass (layout and first target from the settings). */
export const oneshotMethod: SweepMethod = {
  name: 'oneshot',
  positions: (N, s) => planLayout(s.layout, N, s.firstTarget).length,
  async run(model, batch, settings, hooks = {}) {
    const problem = textsWithRestarts(batch.texts, batch.seeds, batch.share, batch.group);
    const trainer = await ProtoTrainer.create(model, problem, settings);
    try {
      const seen = problem.targets.map(() => -1);
      const reached = problem.targets.map(() => 0);
      const note = (rep: ProtoReport) =>
        rep.bestCorrect.forEach((c, i) => {
          if (c > seen[i]) {
            seen[i] = c;
            reached[i] = rep.step;
          }
        });
      const r = await optimise(trainer, {
        onReport: (rep: ProtoReport) => {
          note(rep);
          hooks.onReport?.(rep.step, rep.bestCorrect);
        },
        gate: () => (hooks.shouldStop?.() ? 'stop' : 'go'),
      });
      note(r.last);
      return {
        bestCorrect: r.last.bestCorrect,
        bestStep: reached,
        stepsRun: r.stepsExecuted,
        stoppedBy: r.stoppedBy,
      };
    } finally {
      trainer.destroy();
    }
  },
};

/** Why `--method memory` cannot run yet (the memory-token baseline of issue 4 §5 is another engineer's work). */
export const MEMORY_MISSING =
  'The memory-token method (issue 4 §5, src/memory/) is not in this build yet; run the sweep with --method oneshot for now.';

export const METHOD_NAMES: readonly MethodName[] = ['oneshot', 'memory'];

export function methodByName(name: string): SweepMethod {
  if (name === 'oneshot') return oneshotMethod;
  if (name === 'memory') throw new MethodUnavailableError(MEMORY_MISSING);
  throw new MethodUnavailableError(`Unknown method "${name}": use ${METHOD_NAMES.join(' or ')}.`);
}

export class MethodUnavailableError extends Error {
  override name = 'MethodUnavailableError';
}
