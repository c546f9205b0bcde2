import type { GateDecision } from '../prototokens/optimise.ts';

/**
 * Pause / resume / step / stop for a running optimisation, as a small state machine whose next()
 * is the optimisation loop's gate (prototokens/optimise.ts). Pure: no GPU, no timers, so it is
 * tested in Node.
 */
export type ControlPhase = 'running' | 'paused' | 'stopping';
export type ControlCommand = 'pause' | 'resume' | 'step' | 'stop';

export class RunControl {
  private current: ControlPhase;
  private stepsWanted = 0;
  private waiter: ((d: GateDecision) => void) | null = null;

  constructor(begin: 'run' | 'paused' | 'step' = 'run') {
    this.current = begin === 'run' ? 'running' : 'paused';
    if (begin === 'step') this.stepsWanted = 1;
  }

  get phase(): ControlPhase {
    return this.current;
  }

  /**
   * Applies a command; returns whether the phase changed. `step` while running pauses (the loop
   * stops at its next report); while paused it asks for one step.
   */
  command(c: ControlCommand): boolean {
    const before = this.current;
    if (this.current === 'stopping') return false;
    switch (c) {
      case 'pause':
        this.current = 'paused';
        break;
      case 'resume':
        this.current = 'running';
        this.stepsWanted = 0;
        this.wake('run');
        break;
      case 'step':
        if (this.current === 'running') this.current = 'paused';
        else if (!this.wake('step')) this.stepsWanted++;
        break;
      case 'stop':
        this.current = 'stopping';
        this.wake('stop');
        break;
    }
    return this.current !== before;
  }

  /** Resolves at once unless paused with no step asked for; then waits for resume, step or stop. */
  next(): GateDecision | Promise<GateDecision> {
    if (this.current === 'stopping') return 'stop';
    if (this.current === 'running') return 'run';
    if (this.stepsWanted > 0) {
      this.stepsWanted--;
      return 'step';
    }
    return new Promise<GateDecision>((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(d: GateDecision): boolean {
    const w = this.waiter;
    if (!w) return false;
    this.waiter = null;
    w(d);
    return true;
  }
}
