/** Derived facts about the state, shared by the controller and the components. */
import { jobBusyMessage, runningJob, type JobKind } from '../shared/jobs.ts';
import { runActive, type LabState } from './state.ts';
import { experimentActive } from './experiments-state.ts';
import { encoderEvalActive } from './encoder-eval-state.ts';
import { geometryActive } from './geometry-state.ts';
import { encoderPlan } from './encoder-state.ts';

/** The long job this page has the engine running, or null (the worker's own rule, worker/jobs.ts). */
export function pageJob(s: LabState): JobKind | null {
  return runningJob({
    compressing: runActive(s.run.phase),
    // An encoder measurement holds the experiment's place in the worker (experiment-host.ts).
    experimenting: experimentActive(s.experiments.phase) || encoderEvalActive(s.experiments.encoderEval),
    timing: s.experiments.throughput.state === 'measuring',
    geometry: geometryActive(s.geometry.phase),
    interpolating: s.interp.training ? 'train' : s.interp.scanning ? 'scan' : null,
  });
}

/**
 * Why no long job (compression, experiment, throughput timing, geometry experiment, interpolation
 * scan or training) can start now because another one is running, or null. Every start button
 * asks this, so they all agree with each other and with the worker's refusal.
 */
export function jobBlocker(s: LabState): string | null {
  const job = pageJob(s);
  return job ? jobBusyMessage(job) : null;
}

/** Whether Compress can start now, and why not. */
export function compressBlocker(s: LabState): string | null {
  if (s.model.state !== 'ready') return 'Load a model first.';
  const busy = jobBlocker(s);
  if (busy) return busy;
  const t = s.tokens.current;
  if (s.settings.text.trim() === '') return 'Paste a text first.';
  if (!t || t.text !== s.settings.text) return 'Tokenizing…';
  if (t.ids.length === 0) return 'The text has no tokens.';
  // With an encoder, a long text is cut to its first N tokens: its length is no obstacle then.
  const plan = encoderPlan(s);
  if (plan.kind === 'wait') return 'The encoder is predicting…';
  if (plan.kind === 'failed') return `The encoder's prediction failed: ${plan.message} Unload the encoder to run from the seeded draw.`;
  if (t.tooLong && plan.kind !== 'ready') return `The text has ${t.partial ? 'more than ' + t.maxTokens : t.ids.length} tokens; this model and layout take at most ${t.maxTokens}.`;
  return null;
}
