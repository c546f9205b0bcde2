/**
 * Pause / resume / step / stop for a running optimisation, as a small state machine the run loop
 * consults. Pure: no GPU, no timers, so it is tested in Node.
 */
export type ControlPhase = 'running' | 'paused' | 'stopping';
export type ControlCommand = 'pause' | 'resume' | 'step' | 'stop';
/** What the loop should do next when nothing is queued on the GPU. */
export type Decision = 'run' | 'step' | 'stop';

export class RunControl {
  private current: ControlPhase;
  private stepsWanted = 0;
  private waiter: ((d: Decision) => void) | null = null;

  constructor(begin: 'run' | 'paused' | 'step' = 'run') {
    this.current = begin === 'run' ? 'running' : 'paused';
    if (begin === 'step') this.stepsWanted = 1;
  }

  get phase(): ControlPhase {
    return this.current;
  }

  /** True while the loop may queue the next batch ahead of reading the last one. */
  get free(): boolean {
    return this.current === 'running' && this.stepsWanted === 0;
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
  next(): Decision | Promise<Decision> {
    if (this.current === 'stopping') return 'stop';
    if (this.current === 'running') return 'run';
    if (this.stepsWanted > 0) {
      this.stepsWanted--;
      return 'step';
    }
    return new Promise<Decision>((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(d: Decision): boolean {
    const w = this.waiter;
    if (!w) return false;
    this.waiter = null;
    w(d);
    return true;
  }
}
