/**
 * Optimisation methods the sweep can run. A method takes a batch (texts x restart seeds, maybe
 * sharing a vector within groups) and reports, per item, the best number of correct tokens and
 * the step that reached it: the same per-item result optimise() gives for the one-shot method.
 */
import type { Model } from '../../model/model.ts';
import { ProtoTrainer, type ProtoVectors } from '../../prototokens/trainer.ts';
import { decodeOnePass } from '../../prototokens/decode.ts';
import type { ProtoReport } from '../../prototokens/input-trainer.ts';
import { optimise, type GateDecision, type Optimisable } from '../../prototokens/optimise.ts';
import { MemoryTrainer } from '../../memory/trainer.ts';
import { DEFAULT_MEMORY_TOKENS, memoryPositions, memoryTextsWithRestarts } from '../../memory/problem.ts';
import { planLayout } from '../../shared/layouts.ts';
import { textsWithRestarts, type Share } from '../../prototokens/problem.ts';
import type { ProtoSettings } from '../../shared/run-settings.ts';
import type { MethodName } from '../records.ts';

export interface MethodBatch {
  /** Targets, all of the same length N. */
  texts: number[][];
  /** Restart seeds per text (the same count for every text). */
  seeds: number[][];
  share: Share;
  group: number;
  /**
   * Starting vectors per item (t·S + s) instead of the seeded draw: a progressive sweep's previous
   * rung (the one-shot method only, nothing shared). null: that item is drawn.
   */
  initial?: (ProtoVectors | null)[];
  /** One m for every item (a universal m, nothing shared): kept fixed (frozen) or as each item's start. */
  reuseM?: { m: Float32Array; frozen: boolean };
}

export interface MethodHooks {
  /** After each metrics readback: steps done and each item's best correct count (item t·S + s). */
  onReport?: (step: number, bestCorrect: readonly number[]) => void;
  /** Asked before each batch of steps is queued; true ends the run now (the result still counts). */
  shouldStop?: () => boolean;
  /** Asked before each batch of steps is queued, ahead of shouldStop: while paused, how to wait (called once the steps queued so far are done). */
  wait?: () => (() => Promise<void>) | undefined;
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
  /** The one-shot method: each item's best e and m. */
  best?: ProtoVectors[];
  /** With initial vectors: each item's correct tokens from them before any step (one forward pass). */
  startCorrect?: number[];
}

export interface SweepMethod {
  name: MethodName;
  /** The memory-token method's number of vectors (part of the sweep's key). */
  memoryTokens?: number;
  /** Input positions a text of N tokens needs (the ladder stops where the model has fewer). */
  positions(N: number, settings: ProtoSettings): number;
  run(model: Model, batch: MethodBatch, settings: ProtoSettings, hooks?: MethodHooks): Promise<MethodRun>;
}

/** Runs optimise() on a trainer and reads off each item's best count and when it was first seen. */
async function runOptimise<V>(trainer: Optimisable<V> & { destroy(): void }, hooks: MethodHooks): Promise<MethodRun & { vectors: V[] }> {
  try {
    const seen: number[] = [];
    const reached: number[] = [];
    const note = (rep: ProtoReport) =>
      rep.bestCorrect.forEach((c, i) => {
        if (!(c <= (seen[i] ?? -1))) {
          seen[i] = c;
          reached[i] = rep.step;
        }
      });
    const r = await optimise(trainer, {
      onReport: (rep: ProtoReport) => {
        note(rep);
        hooks.onReport?.(rep.step, rep.bestCorrect);
      },
      // Answered at once unless paused, so the next batch is queued while this one is read back.
      gate: () => {
        const decide = (): GateDecision => (hooks.shouldStop?.() ? 'stop' : 'run');
        const held = hooks.wait?.();
        return held ? () => held().then(decide) : decide();
      },
    });
    note(r.last);
    return { bestCorrect: r.last.bestCorrect, bestStep: r.last.bestCorrect.map((_, i) => reached[i] ?? 0), stepsRun: r.stepsExecuted, stoppedBy: r.stoppedBy, vectors: r.best };
  } finally {
    trainer.destroy();
  }
}

/** The paper's method: [e, m, ..., m] in one forward pass (layout and first target from the settings). */
export const oneshotMethod: SweepMethod = {
  name: 'oneshot',
  positions: (N, s) => planLayout(s.layout, N, s.firstTarget).length,
  async run(model, batch, settings, hooks = {}) {
    const problem = textsWithRestarts(batch.texts, batch.seeds, batch.share, batch.group);
    let startCorrect: number[] | undefined;
    if (batch.initial) {
      if (batch.share !== 'none') throw new MethodUnavailableError('Progressive starts are for texts that share nothing: a shared vector has no one previous best to start from.');
      if (batch.initial.length !== problem.targets.length) throw new Error(`${batch.initial.length} starting pairs for ${problem.targets.length} items.`);
      problem.initial = new Map();
      batch.initial.forEach((v, i) => {
        if (!v) return;
        problem.initial!.set(problem.eRow[i], v.e);
        problem.initial!.set(problem.mRow[i], v.m);
      });
      if (batch.initial.every((v) => v)) startCorrect = await startingCorrect(model, batch.initial as ProtoVectors[], problem.targets, settings);
    }
    if (batch.reuseM) {
      if (batch.share !== 'none') throw new MethodUnavailableError('A universal m is reused by texts that share nothing else; leave out --share.');
      const { m, frozen } = batch.reuseM;
      problem.initial ??= new Map();
      for (const row of new Set(problem.mRow)) (frozen ? problem.fixed : problem.initial).set(row, m);
    }
    const { vectors, ...r } = await runOptimise(await ProtoTrainer.create(model, problem, settings), hooks);
    return { ...r, best: vectors, ...(startCorrect ? { startCorrect } : {}) };
  },
};

/** Per item, the tokens its starting vectors already get right at this length (one forward pass each). */
async function startingCorrect(model: Model, initial: ProtoVectors[], targets: number[][], settings: ProtoSettings): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < initial.length; i++) {
    const ids = await decodeOnePass(model, initial[i], settings.layout, settings.firstTarget, targets[i].length);
    out.push(ids.reduce((n, id, j) => n + (id === targets[i][j] ? 1 : 0), 0));
  }
  return out;
}

/**
 * The autoregressive baseline of Kuratov et al. (src/memory/): K trainable vectors before the text's
 * own embeddings, the whole text decoded from them. Nothing is shared between texts; the layout
 * settings do not apply.
 */
export function memoryMethod(K = DEFAULT_MEMORY_TOKENS): SweepMethod {
  if (!Number.isInteger(K) || K < 1) throw new MethodUnavailableError(`The number of memory vectors must be a positive whole number, got ${K}.`);
  return {
    name: 'memory',
    memoryTokens: K,
    positions: (N) => memoryPositions(N, K),
    async run(model, batch, settings, hooks = {}) {
      if (batch.share !== 'none') throw new MethodUnavailableError('The memory-token method shares nothing between texts (Kuratov et al.); run it without --share.');
      if (batch.initial) throw new MethodUnavailableError('Progressive starts warm-start the proto-tokens e and m of the one-shot method; the memory-token method has none.');
      const problem = memoryTextsWithRestarts(batch.texts, batch.seeds, K);
      const { vectors: _memory, ...r } = await runOptimise(await MemoryTrainer.create(model, problem, settings), hooks);
      return r;
    },
  };
}

export const METHOD_NAMES: readonly MethodName[] = ['oneshot', 'memory'];

export function methodByName(name: string, opts: { memoryTokens?: number } = {}): SweepMethod {
  if (name === 'oneshot') return oneshotMethod;
  if (name === 'memory') return memoryMethod(opts.memoryTokens);
  throw new MethodUnavailableError(`Unknown method "${name}": use ${METHOD_NAMES.join(' or ')}.`);
}

export class MethodUnavailableError extends Error {
  override name = 'MethodUnavailableError';
}
