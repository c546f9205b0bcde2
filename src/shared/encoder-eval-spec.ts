/**
 * The Experiments view's encoder measurement (issue 19 §5) as plain data: the texts of the
 * experiment form (source, count, text seed), the seeded draws and step budget of the optional
 * warm start, and the Compress view's learning rate and layout. The encoder file travels beside it
 * (its token length decides the texts' length). Checked with the experiment's own rules, so the
 * page and the worker refuse the same values with the same words. Pure.
 */
import { checkExperimentSpec, EXPERIMENT_FIELDS, type ExperimentSpec } from './experiment-spec.ts';

export interface EncoderEvalSpec extends Pick<ExperimentSpec, 'source' | 'files' | 'texts' | 'seeds' | 'textSeed' | 'steps' | 'lr' | 'layout' | 'firstTarget'> {
  warmStart: boolean;
}

/** Every problem with a spec, one sentence each; empty when it can run. */
export function checkEncoderEvalSpec(s: EncoderEvalSpec): string[] {
  // A capacity run of the same texts checks every field the two share; nothing else of it applies.
  const asExperiment: ExperimentSpec = { ...s, kind: 'capacity', method: 'oneshot', memoryTokens: 1, lengths: [], maxLength: 0, share: 'm', groups: [1], progressive: false };
  const warm = EXPERIMENT_FIELDS.warmStart.check(s.warmStart);
  return [...checkExperimentSpec(asExperiment), ...(warm ? [`Warm start ${warm}.`] : [])];
}
