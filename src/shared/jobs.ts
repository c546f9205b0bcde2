/**
 * The engine runs one long job at a time: a compression, an experiment (or a throughput timing),
 * the geometry experiment, or an interpolation scan or training. Each keeps the GPU busy for
 * seconds to hours, and two at once would slow each other and spoil the timings. The page
 * (ui/selectors.ts, before it sends a start) and the worker (engine.ts, when a start arrives
 * anyway) decide with the same rule and say it with the same words. Pure; the UI reaches it
 * through protocol.ts.
 */

/** A long job, as the message names it. */
export type JobKind = 'compress' | 'experiment' | 'throughput' | 'geometry' | 'scan' | 'train';

/** What is running, which view it belongs to, and how to end it. */
const JOBS: Record<JobKind, { what: string; view: string; end: string }> = {
  compress: { what: 'A compression', view: 'Compress', end: 'stop it or let it finish' },
  experiment: { what: 'An experiment', view: 'Experiments', end: 'cancel it or let it finish' },
  throughput: { what: 'A throughput timing', view: 'Experiments', end: 'let it finish' },
  geometry: { what: 'The geometry experiment', view: 'Geometry', end: 'stop it or let it finish' },
  scan: { what: 'An interpolation scan', view: 'Interpolate', end: 'let it finish' },
  train: { what: 'A Bezier training', view: 'Interpolate', end: 'stop it or let it finish' },
};

/** Why nothing else can start while `running` runs, and what to do. */
export function jobBusyMessage(running: JobKind): string {
  const j = JOBS[running];
  return `${j.what} is running (${j.view} view): ${j.end} first; one job runs at a time.`;
}

/** The facts both sides know, in the order they are asked. */
export interface JobFacts {
  compressing: boolean;
  experimenting: boolean;
  /** A throughput timing (Experiments view), which is not an experiment run. */
  timing: boolean;
  geometry: boolean;
  /** The interpolation job running ('scan' or 'train'), or null. */
  interpolating: 'scan' | 'train' | null;
}

/** The job running now, or null. */
export function runningJob(f: JobFacts): JobKind | null {
  if (f.compressing) return 'compress';
  if (f.experimenting) return 'experiment';
  if (f.timing) return 'throughput';
  if (f.geometry) return 'geometry';
  return f.interpolating;
}
