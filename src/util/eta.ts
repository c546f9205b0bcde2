/**
 * Time left of a long task from how fast it has been going: the rate over a recent window of
 * progress samples (not since the start, so a task that speeds up or slows down, or a machine that
 * gets busier, is followed), applied to the work still to do. Pure; the clock is the caller's,
 * and it should exclude pauses (a paused task makes no progress and would look slow).
 */
export interface EtaSample {
  /** Active time in ms (pauses excluded). */
  t: number;
  /** Work done so far, in any unit that `total` uses. */
  done: number;
}

/**
 * Milliseconds left to reach `total`, or null when it cannot be told yet (fewer than two samples
 * in the window, or no progress across it). Uses the samples within `windowMs` of the latest (and
 * the one just before the window, so a sparse stream still has two).
 */
export function remainingMs(samples: readonly EtaSample[], total: number, windowMs = 60_000): number | null {
  if (samples.length === 0) return null;
  const last = samples[samples.length - 1];
  if (last.done >= total) return 0;
  let first = samples.length - 1;
  while (first > 0 && last.t - samples[first - 1].t <= windowMs) first--;
  if (first === samples.length - 1 && first > 0) first--;
  const a = samples[first];
  const dt = last.t - a.t;
  const dw = last.done - a.done;
  if (!(dt > 0) || !(dw > 0)) return null;
  return ((total - last.done) * dt) / dw;
}

/** Keeps the samples a remainingMs estimate needs (those within the window, plus one), appending one. */
export function addSample(samples: readonly EtaSample[], sample: EtaSample, windowMs = 60_000): EtaSample[] {
  const prev = samples.length > 0 ? samples[samples.length - 1] : null;
  // Work can be re-estimated downwards (a bound tightened): start again rather than see negative speed.
  if (prev && (sample.done < prev.done || sample.t < prev.t)) return [sample];
  const out = [...samples, sample];
  let drop = 0;
  while (drop < out.length - 2 && sample.t - out[drop + 1].t > windowMs) drop++;
  return drop > 0 ? out.slice(drop) : out;
}
