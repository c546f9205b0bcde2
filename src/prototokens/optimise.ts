import type { ProtoReport, ProtoVectors } from './trainer.ts';
import type { ProtoSettings } from './settings.ts';

export type StopReason = 'solved' | 'max-steps' | 'patience' | 'stopped' | 'non-finite';

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

export interface OptimiseResult<V = ProtoVectors> {
  /** Updates after which every item first reached its best (the reported "steps run"). */
  steps: number;
  /** Steps actually executed on the GPU (a few more than `steps` once solved mid-batch). */
  stepsExecuted: number;
  seconds: number;
  stoppedBy: StopReason;
  best: V[];
  last: ProtoReport;
}

export interface OptimiseHooks {
  onReport?: (r: ProtoReport, elapsedMs: number) => void;
  /**
   * Called before each batch of steps is queued: resolve 'go' to continue, 'stop' to finish now.
   * The worker uses it for pause (resolve later), resume and stop.
   */
  gate?: () => Promise<'go' | 'stop'> | 'go' | 'stop';
  /** Steps per batch; defaults to the report interval. */
  batch?: number;
  now?: () => number;
}

/**
 * The optimisation loop: keeps one batch of steps queued ahead of the metrics being read, so the
 * GPU never idles waiting for the CPU and the CPU never blocks a step.
 */
export async function optimise<V = ProtoVectors>(trainer: Optimisable<V>, hooks: OptimiseHooks = {}): Promise<OptimiseResult<V>> {
  const now = hooks.now ?? (() => performance.now());
  const s = trainer.settings;
  const k = hooks.batch ?? s.reportEvery;
  const start = now();
  let last: ProtoReport | null = null;
  let stoppedBy: StopReason | null = null;
  let bestGainStep = 0;
  let bestSum = -1;

  if ((await hooks.gate?.()) === 'stop') stoppedBy = 'stopped';
  else trainer.submitSteps(k);
  while (stoppedBy === null) {
    const pending = trainer.report();
    let queued = false;
    if (trainer.stepsSubmitted < s.maxSteps) {
      const g = hooks.gate ? await hooks.gate() : 'go';
      if (g === 'stop') stoppedBy = 'stopped';
      else {
        trainer.submitSteps(k);
        queued = true;
      }
    }
    const r = await pending;
    last = r;
    hooks.onReport?.(r, now() - start);
    const sum = r.bestCorrect.reduce((a, b) => a + b, 0);
    if (sum > bestSum) {
      bestSum = sum;
      bestGainStep = r.step;
    }
    if (stoppedBy) break;
    if (r.loss.some((x) => !Number.isFinite(x))) stoppedBy = 'non-finite';
    else if (r.bestCorrect.every((c) => c === trainer.N)) stoppedBy = 'solved';
    else if (s.patience > 0 && r.step - bestGainStep >= s.patience) stoppedBy = 'patience';
    else if (!queued) stoppedBy = 'max-steps';
  }
  // Let queued steps finish so the best snapshot and the timing are final.
  const final = await trainer.report();
  const seconds = (now() - start) / 1000;
  const best = await trainer.bestVectors();
  const reached = final.bestStep.map((x) => (x === 0xffffffff ? 0 : x + 1));
  return {
    steps: stoppedBy === 'solved' ? Math.max(...reached) : final.step,
    stepsExecuted: final.step,
    seconds,
    stoppedBy: stoppedBy!,
    best,
    last: final,
  };
}
