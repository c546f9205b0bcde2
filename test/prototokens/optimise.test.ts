import { describe, expect, it } from 'vitest';
import { RunControl } from '../../src/worker/run-control.ts';
import { optimise, type Gate, type Optimisable, type OptimiseHooks } from '../../src/prototokens/optimise.ts';
import { RateMeter } from '../../src/prototokens/run-clock.ts';
import type { ProtoReport } from '../../src/prototokens/input-trainer.ts';

/**
 * A trainer whose "GPU" finishes a step each time the test advances it; `correctAt(step)` scripts
 * the metrics. It records how far submissions ran ahead of the readbacks.
 */
class FakeTrainer implements Optimisable<number> {
  readonly N = 4;
  stepsSubmitted = 0;
  maxAhead = 0;
  reports = 0;
  private reported = 0;
  private best = 0;
  private bestStep = 0xffffffff;
  constructor(
    readonly settings: { maxSteps: number; reportEvery: number; patience: number },
    private readonly correctAt: (step: number) => number = () => 0,
  ) {}
  submitSteps(k: number): void {
    const n = Math.min(k, this.settings.maxSteps - this.stepsSubmitted);
    for (let i = 0; i < n; i++) {
      const c = this.correctAt(this.stepsSubmitted);
      if (c > this.best) {
        this.best = c;
        this.bestStep = this.stepsSubmitted;
      }
      this.stepsSubmitted++;
    }
    this.maxAhead = Math.max(this.maxAhead, this.stepsSubmitted - this.reported);
  }
  async report(): Promise<ProtoReport> {
    const step = this.stepsSubmitted;
    this.reports++;
    await new Promise((r) => setTimeout(r, 1));
    this.reported = step;
    const c = step === 0 ? 0 : this.correctAt(step - 1);
    return { step, loss: [10 / (step + 1)], correct: [c], bestCorrect: [this.best], bestLoss: [1], bestStep: [this.bestStep], argmax: [[0, 0, 0, 0]] };
  }
  async bestVectors(): Promise<number[]> {
    return [this.best];
  }
}

/** The page's loop: optimise() gated by a RunControl. */
const runLoop = (t: FakeTrainer, control: RunControl, hooks: OptimiseHooks = {}) => optimise(t, { ...hooks, gate: () => control.next() });

const settings = (maxSteps: number, reportEvery = 10, patience = 0) => ({ maxSteps, reportEvery, patience });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('the optimisation loop, gated by the page\'s RunControl', () => {
  it('runs to the step limit, reporting every interval with one batch queued ahead', async () => {
    const t = new FakeTrainer(settings(95));
    const steps: number[] = [];
    const r = await runLoop(t, new RunControl(), { onReport: (rep) => steps.push(rep.step) });
    expect(r.stoppedBy).toBe('max-steps');
    expect(r.last.step).toBe(95);
    expect(steps).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
    // Never more than the batch being read plus one queued batch.
    expect(t.maxAhead).toBeLessThanOrEqual(20);
  });

  it('stops when every token is reconstructed, with the final metrics after the queued batch', async () => {
    const t = new FakeTrainer(settings(1000), (s) => (s >= 42 ? 4 : 1));
    const r = await runLoop(t, new RunControl());
    expect(r.stoppedBy).toBe('solved');
    expect(r.last.step).toBe(t.stepsSubmitted);
    expect(r.last.bestStep[0]).toBe(42);
  });

  it('stops on a non-finite loss and on patience', async () => {
    const nan = new FakeTrainer(settings(100));
    nan.report = async () => ({ step: nan.stepsSubmitted, loss: [NaN], correct: [0], bestCorrect: [0], bestLoss: [NaN], bestStep: [0], argmax: [[]] });
    expect((await runLoop(nan, new RunControl())).stoppedBy).toBe('non-finite');
    const flat = new FakeTrainer(settings(1000, 10, 30), () => 1);
    const r = await runLoop(flat, new RunControl());
    expect(r.stoppedBy).toBe('patience');
    expect(r.last.step).toBeLessThanOrEqual(60);
  });

  it('pauses after the queued batch, takes single steps, resumes and stops', async () => {
    const t = new FakeTrainer(settings(10_000));
    const control = new RunControl();
    const events: string[] = [];
    const reported: number[] = [];
    const done = runLoop(t, control, {
      onReport: (r) => reported.push(r.step),
      onPaused: (s) => events.push(`paused@${s}`),
      onResumed: (s) => events.push(`resumed@${s}`),
    });
    while (reported.length < 2) await tick();
    control.command('pause');
    while (!events.some((e) => e.startsWith('paused'))) await tick();
    const at = t.stepsSubmitted;
    expect(reported.at(-1)).toBe(at); // every submitted step has been reported before idling
    await tick();
    expect(t.stepsSubmitted).toBe(at);

    control.command('step');
    while (reported.at(-1) !== at + 1) await tick();
    await tick();
    expect(t.stepsSubmitted).toBe(at + 1);
    expect(events).toEqual([`paused@${at}`, `paused@${at + 1}`]);

    control.command('resume');
    while (t.stepsSubmitted < at + 40) await tick();
    expect(events.at(-1)).toBe(`resumed@${at + 1}`);
    control.command('stop');
    const r = await done;
    expect(r.stoppedBy).toBe('stopped');
    expect(r.last.step).toBe(t.stepsSubmitted);
  });

  it('stop while paused ends at once', async () => {
    const t = new FakeTrainer(settings(10_000));
    const control = new RunControl('paused');
    const done = runLoop(t, control);
    await tick();
    expect(t.stepsSubmitted).toBe(0);
    control.command('stop');
    const r = await done;
    expect(r).toMatchObject({ stoppedBy: 'stopped' });
    expect(r.last.step).toBe(0);
  });

  it("begin: 'step' takes exactly one step, then waits", async () => {
    const t = new FakeTrainer(settings(10_000));
    const control = new RunControl('step');
    const reported: number[] = [];
    const done = runLoop(t, control, { onReport: (r) => reported.push(r.step) });
    for (let i = 0; i < 5; i++) await tick();
    expect(reported).toEqual([1]);
    control.command('stop');
    await done;
  });

  it('does not count paused time as running time', async () => {
    let now = 0;
    const t = new FakeTrainer(settings(10_000));
    const control = new RunControl();
    const elapsed: number[] = [];
    let pauses = 0;
    const done = runLoop(t, control, {
      now: () => now,
      onReport: (_r, timing) => {
        elapsed.push(timing.elapsedMs);
        now += 100;
      },
      onPaused: () => {
        pauses++;
        now += 1_000_000;
      },
    });
    while (elapsed.length < 2) await tick();
    control.command('pause');
    while (pauses === 0) await tick();
    control.command('resume');
    while (elapsed.length < 6) await tick();
    control.command('stop');
    await done;
    // Each report comes 100 ms of running after the last, however many the machine managed
    // around the pause: the million paused milliseconds are in none of them.
    expect(pauses).toBe(1);
    expect(elapsed).toEqual(elapsed.map((_, i) => 100 * i));
  });
});

describe('run control', () => {
  it('step while running pauses; commands after stop are ignored', async () => {
    const c = new RunControl();
    expect(c.next()).toBe('run');
    expect(c.command('step')).toBe(true);
    expect(c.phase).toBe('paused');
    c.command('step');
    expect(c.next()).toBe('step'); // asked for before the loop waited
    const waiting = c.next();
    expect(waiting).toBeInstanceOf(Promise);
    c.command('resume');
    expect(await waiting).toBe('run');
    expect(c.command('stop')).toBe(true);
    expect(c.command('resume')).toBe(false);
    expect(c.next()).toBe('stop');
  });
});

describe('rate meter', () => {
  it('measures over recent reports', () => {
    const m = new RateMeter(2);
    expect(m.add(10, 1000)).toBe(10); // from the start
    expect(m.add(20, 1100)).toBeCloseTo(100);
    expect(m.add(30, 1200)).toBeCloseTo(100);
    expect(m.add(40, 1300)).toBeCloseTo(100); // the slow first report has left the window
  });
});

describe('a resumed run loop (from a checkpoint)', () => {
  it('continues the running time and the patience count where the checkpoint left them', async () => {
    const resumedAt = () => {
      const t = new FakeTrainer(settings(1000, 10, 30), () => 2);
      t.stepsSubmitted = 50; // as restored from a checkpoint taken at step 50
      return t;
    };
    const timings: { step: number; elapsedMs: number; bestGainStep: number }[] = [];
    const r = await runLoop(resumedAt(), new RunControl(), {
      now: () => 0,
      resumed: { elapsedMs: 1000, bestGainStep: 40, bestCorrect: 2 },
      onReport: (rep, t) => timings.push({ step: rep.step, elapsedMs: t.elapsedMs, bestGainStep: t.bestGainStep }),
    });
    // No gain since step 40: patience 30 runs out at the first report at or past step 70.
    expect(r.stoppedBy).toBe('patience');
    expect(timings[0]).toEqual({ step: 60, elapsedMs: 1000, bestGainStep: 40 });
    expect(timings.at(-1)!.step).toBe(70);
    // Without the checkpoint's bookkeeping the same state would count patience from its first report.
    const fresh: number[] = [];
    await runLoop(resumedAt(), new RunControl(), { now: () => 0, onReport: (rep) => fresh.push(rep.step) });
    expect(fresh.at(-1)).toBe(90);
  });
});

describe('the optimisation loop, gated by a function (sweeps, geometry)', () => {
  it('without a gate keeps one batch queued ahead and returns the best, the steps to solve and the steps run', async () => {
    const t = new FakeTrainer(settings(1000), (s) => (s >= 42 ? 4 : 1));
    const r = await optimise(t);
    expect(r.stoppedBy).toBe('solved');
    expect(t.maxAhead).toBe(20); // the batch being read plus the one queued behind it
    expect(r.steps).toBe(43); // first solved after update 43 (step index 42)
    expect(r.stepsExecuted).toBe(t.stepsSubmitted);
    expect(r.stepsExecuted).toBeGreaterThan(43);
    expect(r.best).toEqual([4]);
  });

  it("a 'stop' ends the run after the batch in flight is reported; solved wins over a stop asked in the same batch", async () => {
    let calls = 0;
    const t = new FakeTrainer(settings(1000));
    const reported: number[] = [];
    const r = await optimise(t, { gate: () => (++calls > 3 ? 'stop' : 'run'), onReport: (rep) => reported.push(rep.step) });
    expect(r.stoppedBy).toBe('stopped');
    expect(reported).toEqual([10, 20, 30]);
    expect(r.last.step).toBe(30);

    const solvedFirst = new FakeTrainer(settings(1000), (s) => (s >= 5 ? 4 : 0));
    expect((await optimise(solvedFirst, { gate: () => 'stop' })).stoppedBy).toBe('stopped'); // asked before any step
    let asked = 0;
    const solving = new FakeTrainer(settings(1000), (s) => (s >= 5 ? 4 : 0));
    const s = await optimise(solving, { gate: () => (++asked > 1 ? 'stop' : 'run') });
    expect(s.stoppedBy).toBe('solved');
  });

  it('a pause (a promise from the gate) is waited out only after every queued step is reported, and is not running time', async () => {
    let now = 0;
    let release = null as (() => void) | null;
    let batches = 0;
    const gate: Gate = () => {
      if (++batches !== 3) return 'run';
      return new Promise((resolve) => (release = () => resolve('run')));
    };
    const t = new FakeTrainer(settings(60));
    const reported: number[] = [];
    const paused: number[] = [];
    const done = optimise(t, {
      gate,
      now: () => now,
      onReport: (rep) => {
        reported.push(rep.step);
        now += 100;
      },
      onPaused: (step) => {
        paused.push(step);
      },
    });
    while (release === null || paused.length === 0) await tick();
    expect(paused).toEqual([20]);
    expect(reported).toEqual([10, 20]); // the batch in flight when the pause was asked was reported first
    now += 1_000_000; // a long pause
    release!();
    const r = await done;
    expect(r.stoppedBy).toBe('max-steps');
    expect(reported).toEqual([10, 20, 30, 40, 50, 60]);
    expect(r.seconds).toBeCloseTo(0.6, 5); // six reports, 100 ms each; the pause left out
  });

  it('a pause given as a function is entered only once the queued steps are reported, so whoever waits can say paused truthfully', async () => {
    const t = new FakeTrainer(settings(40));
    const reported: number[] = [];
    const seenAtPause: number[][] = [];
    let calls = 0;
    const gate: Gate = () =>
      ++calls === 3
        ? () => {
            seenAtPause.push([...reported]);
            return Promise.resolve('run');
          }
        : 'run';
    const r = await optimise(t, { gate, onReport: (rep) => reported.push(rep.step) });
    // Asked for the third batch while the second was in flight: the wait began after step 20 was reported.
    expect(seenAtPause).toEqual([[10, 20]]);
    expect(r.stoppedBy).toBe('max-steps');
    expect(reported).toEqual([10, 20, 30, 40]);
  });
});
