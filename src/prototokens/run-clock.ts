/** The optimisation loop's clocks: running time without pauses, and the recent step rate. */

/** Running time that stops counting while the loop waits in a pause. */
export class ActiveClock {
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
