/**
 * An experiment of the lab (spec.ts) as the sweeps that make it: the same runSweep calls the
 * command line makes for Tables 1-3, so the page's records and `protolab sweep`'s are alike.
 */
import { LAYOUT_NAMES, LAYOUTS } from '../../shared/layouts.ts';
import type { ProtoSettings } from '../../shared/run-settings.ts';
import type { Share } from '../../prototokens/problem.ts';
import { methodByName, type SweepMethod } from './methods.ts';
import type { SweepInit } from '../records.ts';
import { checkExperimentSpec, experimentRunSettings, type ExperimentSpec } from '../../shared/experiment-spec.ts';

export interface PlannedSweep {
  /** For the progress line: "layout [e]×N", "groups of 4", ... */
  label: string;
  method: SweepMethod;
  /** Where each attempt starts: drawn, or (progressive) the previous length's best. */
  init: SweepInit;
  settings: ProtoSettings;
  share: Share;
  group: number;
  lengths?: number[];
  maxLength?: number;
  keepGoing: boolean;
}

export class ExperimentSpecError extends Error {
  override name = 'ExperimentSpecError';
}

export function planExperiment(spec: ExperimentSpec): PlannedSweep[] {
  const problems = checkExperimentSpec(spec);
  if (problems.length > 0) throw new ExperimentSpecError(problems.join(' '));
  const method = methodByName(spec.method, { memoryTokens: spec.memoryTokens });
  const settings = experimentRunSettings(spec);
  const lengths = spec.lengths.length > 0 ? spec.lengths : undefined;
  const maxLength = spec.maxLength > 0 ? spec.maxLength : undefined;
  const init: SweepInit = spec.progressive ? 'progressive' : 'normal';
  const base = { method, init, settings, share: 'none' as Share, group: 1, lengths, maxLength };
  const warm = spec.progressive ? ', progressive' : '';
  switch (spec.kind) {
    case 'capacity':
      return [{ ...base, label: `capacity, ${spec.method}${warm}`, keepGoing: false }];
    case 'layouts':
      if (spec.method === 'memory') return [{ ...base, label: `memory tokens (K = ${spec.memoryTokens})`, keepGoing: true }];
      return LAYOUT_NAMES.map((layout) => ({ ...base, settings: { ...settings, layout }, label: `layout ${LAYOUTS[layout].label}${warm}`, keepGoing: true }));
    case 'sharing':
      return [...new Set(spec.groups)]
        .sort((a, b) => a - b)
        .map((g) => ({ ...base, share: g === 1 ? 'none' : spec.share, group: g, label: g === 1 ? 'nothing shared' : `${spec.share} shared in groups of ${g}`, keepGoing: true }));
  }
}
