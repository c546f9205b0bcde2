/**
 * The worker's optimisation loop: the pipelining of prototokens/optimise.ts (one batch of steps
 * queued on the GPU while the previous batch's metrics are read back, so the CPU never waits on a
 * step) plus pause, resume, single steps and stop from a RunControl. It only talks to the trainer
 * through TrainerLike, so it runs against a fake in Node tests.
 */
import type { ProtoReport } from '../prototokens/trainer.ts';
import type { StoppedBy } from './protocol.ts';
import type { RunControl } from './run-control.ts';

export interface TrainerLike {
  readonly N: number;
  readonly stepsSubmitted: number;
  readonly settings: { maxSteps: number; reportEvery: number; patience: number };
  submitSteps(k: number): void;
  report(): Promise<ProtoReport>;
}

export interface ReportTiming {
  /** Running time so far, pauses excluded. */
  elapsedMs: number;
  /** Steps per second over the recent reports. */
  stepsPerSec: number;
  /** The last step that gained a correct token (what a checkpoint must keep for the patience rule). */
  bestGainStep: number;
}

export interface LoopHooks {
  onReport?: (r: ProtoReport, t: ReportTiming) => void;
  /** The loop is now idle in a pause (every queued step has been reported). */
  onPaused?: (step: number) => void;
  /** The loop left a pause to run freely again. */
  onResumed?: (step: number) => void;
  now?: () => number;
  /** Continuing a checkpointed run: its running time and patience bookkeeping so far. */
  resumed?: { elapsedMs: number; bestGainStep: number; bestCorrect: number };
}

export interface LoopResult {
  stoppedBy: StoppedBy;
  /** Metrics after every submitted step has run. */
  last: ProtoReport;
  elapsedMs: number;
}

/** Running time that stops counting while the loop waits in a pause. */
class ActiveClock {
  private total: number;
  private since: number | null;
  constructor(
    private readonly now: () => number,
    already = 0,
  ) {
    this.total = already;
    this.since = now();
  }
  hold(): void {
    if (this.since !== null) this.total += this.now() - this.since;
    this.since = null;
  }
  go(): void {
    if (this.since === null) this.since = this.now();
  }
  get ms(): number {
    return this.total + (this.since === null ? 0 : this.now() - this.since);
  }
}

/** Steps/s over a window of recent reports (the first one includes shader compilation). */
export class RateMeter {
  private readonly points: [step: number, ms: number][] = [];
  constructor(private readonly window = 5) {}
  add(step: number, ms: number): number {
    this.points.push([step, ms]);
    if (this.points.length > this.window + 1) this.points.shift();
    const [s0, t0] = this.points.length > 1 ? this.points[0] : [0, 0];
    const dt = ms - t0;
    return dt > 0 ? ((step - s0) * 1000) / dt : 0;
  }
}

export async function runLoop(trainer: TrainerLike, control: RunControl, hooks: LoopHooks = {}): Promise<LoopResult> {
  const { maxSteps, reportEvery: k, patience } = trainer.settings;
  const clock = new ActiveClock(hooks.now ?? (() => performance.now()), hooks.resumed?.elapsedMs ?? 0);
  const rate = new RateMeter();
  let inFlight = false;
  let last: ProtoReport | null = null;
  let stoppedBy: StoppedBy | null = null;
  let bestSum = hooks.resumed?.bestCorrect ?? -1;
  let bestGainStep = hooks.resumed?.bestGainStep ?? 0;

  while (stoppedBy === null) {
    if (!inFlight) {
      if (trainer.stepsSubmitted >= maxSteps) {
        stoppedBy = 'max-steps';
        break;
      }
      let d = control.next();
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
    }
    const pending = trainer.report();
    inFlight = false;
    if (control.free && trainer.stepsSubmitted < maxSteps) {
      trainer.submitSteps(k);
      inFlight = true;
    }
    const r = await pending;
    last = r;
    const sum = r.bestCorrect.reduce((a, b) => a + b, 0);
    if (sum > bestSum) {
      bestSum = sum;
      bestGainStep = r.step;
    }
    const elapsedMs = clock.ms;
    hooks.onReport?.(r, { elapsedMs, stepsPerSec: rate.add(r.step, elapsedMs), bestGainStep });
    if (r.loss.some((x) => !Number.isFinite(x))) stoppedBy = 'non-finite';
    else if (r.bestCorrect.every((c) => c === trainer.N)) stoppedBy = 'solved';
    else if (patience > 0 && r.step - bestGainStep >= patience) stoppedBy = 'patience';
    else if (control.phase === 'stopping') stoppedBy = 'stopped';
  }
  // Let queued steps finish so the kept best and the step count are final.
  if (inFlight || last === null || last.step !== trainer.stepsSubmitted) last = await trainer.report();
  return { stoppedBy, last, elapsedMs: clock.ms };
}
