/**
 * The optimisation loop, the one every caller drives: the page's runs (through a RunControl gate),
 * the command line, sweeps, geometry and the memory baseline. It keeps one batch of steps queued on
 * the GPU while the previous batch's metrics are read back, so the GPU never idles waiting for the
 * CPU and the CPU never blocks a step; it talks to the trainer only through Optimisable, so it
 * runs against a fake in Node tests.
 */
import type { ProtoVectors } from './trainer.ts';
import type { ProtoReport } from './input-trainer.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import { ActiveClock, RateMeter } from './run-clock.ts';
import { NONE } from '../model/transformer.ts';

/** Why a run ended: the four stopping rules, or a stop from outside. */
export type StoppedBy = 'solved' | 'max-steps' | 'patience' | 'stopped' | 'non-finite';

/** What to do before the next steps are queued: a batch, one step, or stop. */
export type GateDecision = 'run' | 'step' | 'stop';

/**
 * Asked before every batch of steps is queued. A decision given at once keeps the GPU fed (a 'run'
 * is queued ahead of the last batch's read-back). A promise, or a function that makes one, means
 * paused: the loop first reports everything already queued, then (calling the function only then,
 * so whoever waits can say "paused" truthfully) waits for it; running time stands still meanwhile.
 * RunControl.next is one; the default always answers 'run'.
 */
export type Gate = () => GateDecision | Promise<GateDecision> | (() => Promise<GateDecision>);

/**
 * What optimise() drives: a batch of items stepped on the GPU with keep-best bookkeeping.
 * ProtoTrainer (vectors e, m) and MemoryTrainer (src/memory/, K memory vectors) both are one.
 */
export interface Optimisable<V> {
  /** Tokens per item: an item is solved when its best correct count reaches N. */
  readonly N: number;
  readonly settings: Pick<ProtoSettings, 'maxSteps' | 'reportEvery' | 'patience'>;
  readonly stepsSubmitted: number;
  submitSteps(k: number): void;
  report(): Promise<ProtoReport>;
  bestVectors(): Promise<V[]>;
}

export interface ReportTiming {
  /** Running time so far, pauses excluded. */
  elapsedMs: number;
  /** Steps per second over the recent reports. */
  stepsPerSec: number;
  /** The last step that gained a correct token (what a checkpoint must keep for the patience rule). */
  bestGainStep: number;
}

export interface OptimiseHooks {
  onReport?: (r: ProtoReport, t: ReportTiming) => void;
  gate?: Gate;
  /** The loop is now idle in a pause (every queued step has been reported). */
  onPaused?: (step: number) => void;
  /** The loop left a pause to run freely again. */
  onResumed?: (step: number) => void;
  now?: () => number;
  /** Continuing a checkpointed run: its running time and patience bookkeeping so far. */
  resumed?: { elapsedMs: number; bestGainStep: number; bestCorrect: number };
}

export interface OptimiseResult<V = ProtoVectors> {
  stoppedBy: StoppedBy;
  /** Updates after which every item first reached its best (the reported "steps run"). */
  steps: number;
  /** Steps actually executed on the GPU (a few more than `steps` once solved mid-batch). */
  stepsExecuted: number;
  /** The step of the report that ended the run (where a non-finite loss was first seen). */
  stoppedAt: number;
  /** Running time, pauses excluded. */
  seconds: number;
  best: V[];
  /** Metrics after every submitted step has run. */
  last: ProtoReport;
}

const always: Gate = () => 'run';

/** The stopping rules read off one report, in order of precedence; null to go on. */
function verdict(r: ProtoReport, N: number, patience: number, bestGainStep: number): StoppedBy | null {
  if (r.loss.some((x) => !Number.isFinite(x))) return 'non-finite';
  if (r.bestCorrect.every((c) => c === N)) return 'solved';
  if (patience > 0 && r.step - bestGainStep >= patience) return 'patience';
  return null;
}

export async function optimise<V = ProtoVectors>(trainer: Optimisable<V>, hooks: OptimiseHooks = {}): Promise<OptimiseResult<V>> {
  const { maxSteps, reportEvery: k, patience } = trainer.settings;
  const gate = hooks.gate ?? always;
  const clock = new ActiveClock(hooks.now ?? (() => performance.now()), hooks.resumed?.elapsedMs ?? 0);
  const rate = new RateMeter();
  let last: ProtoReport | null = null;
  let stoppedBy: StoppedBy | null = null;
  let stoppedAt = trainer.stepsSubmitted;
  let bestSum = hooks.resumed?.bestCorrect ?? -1;
  let bestGainStep = hooks.resumed?.bestGainStep ?? 0;
  /** The gate's answer for the next steps; null once every step allowed has been queued. */
  let next: ReturnType<Gate> | null = trainer.stepsSubmitted < maxSteps ? gate() : null;

  while (stoppedBy === null) {
    // Idle: nothing queued. Wait out a pause, then queue what the gate asked for.
    if (next === null) {
      stoppedBy = 'max-steps';
      break;
    }
    let d = typeof next === 'function' ? next() : next;
    if (typeof d !== 'string') {
      clock.hold();
      hooks.onPaused?.(trainer.stepsSubmitted);
      d = await d;
      clock.go();
      if (d === 'run') hooks.onResumed?.(trainer.stepsSubmitted);
    }
    if (d === 'stop') {
      stoppedBy = 'stopped';
      break;
    }
    trainer.submitSteps(d === 'step' ? 1 : k);
    // Running: read each batch back with the next one queued, for as long as the gate says 'run'.
    for (;;) {
      const pending = trainer.report();
      next = trainer.stepsSubmitted < maxSteps ? gate() : null;
      const ahead = next === 'run';
      if (ahead) trainer.submitSteps(k);
      const r = await pending;
      last = r;
      const sum = r.bestCorrect.reduce((a, b) => a + b, 0);
      if (sum > bestSum) {
        bestSum = sum;
        bestGainStep = r.step;
      }
      const elapsedMs = clock.ms;
      hooks.onReport?.(r, { elapsedMs, stepsPerSec: rate.add(r.step, elapsedMs), bestGainStep });
      stoppedBy = verdict(r, trainer.N, patience, bestGainStep);
      stoppedAt = r.step;
      if (stoppedBy !== null || !ahead) break;
    }
  }
  // Let queued steps finish so the kept best, the step count and the timing are final.
  if (last === null || last.step !== trainer.stepsSubmitted) last = await trainer.report();
  const seconds = clock.ms / 1000;
  const best = await trainer.bestVectors();
  const reached = last.bestStep.map((x) => (x === NONE ? 0 : x + 1));
  return { stoppedBy, steps: stoppedBy === 'solved' ? Math.max(...reached) : last.step, stepsExecuted: last.step, stoppedAt, seconds, best, last };
}
