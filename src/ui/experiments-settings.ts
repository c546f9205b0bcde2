/**
 * The experiments view's settings: part of LabSettings (so the URL restores them), as typed in the
 * form. Every field is the experiment table's (EXPERIMENT_FIELDS in src/shared/experiment-spec.ts)
 * under a page key `exp<Field>`: its URL name, default, parse and check come from there, so the
 * form, the URL and the worker's spec check refuse the same values with the same words.
 */
import { EXPERIMENT_FIELDS, parseLengths, type ExperimentForm, type ExperimentSpec, type ExperimentText } from '../shared/experiment-spec.ts';
import { settingsGroup, type PageSettings } from './settings-group.ts';
import type { FirstTarget, LayoutName } from '../shared/layouts.ts';
import type { EncoderEvalSpec } from '../shared/encoder-eval-spec.ts';

export const EXPERIMENTS_GROUP = settingsGroup('exp', EXPERIMENT_FIELDS);

/** expKind, expMethod, ..., expRepeats: the experiment form under the page's keys. */
export type ExperimentSettings = PageSettings<'exp', ExperimentForm>;

export const EXPERIMENT_DEFAULTS: ExperimentSettings = EXPERIMENTS_GROUP.defaults;

/** What the worker runs for these settings (the layout and learning rate are the compress view's). */
export function toExperimentSpec(s: ExperimentSettings & { lr: number; layout: LayoutName; firstTarget: FirstTarget }, files: ExperimentText[]): ExperimentSpec {
  const list = (text: string) => {
    const r = parseLengths(text);
    return typeof r === 'string' ? [] : r;
  };
  return {
    kind: s.expKind,
    method: s.expMethod,
    memoryTokens: s.expMemoryTokens,
    source: s.expSource,
    files: s.expSource === 'files' ? files : [],
    texts: s.expTexts,
    seeds: s.expSeeds,
    textSeed: s.expTextSeed,
    steps: s.expSteps,
    lr: s.lr,
    lengths: list(s.expLengths),
    maxLength: s.expMaxLength,
    layout: s.layout,
    firstTarget: s.firstTarget,
    share: s.expShare,
    groups: list(s.expGroups),
    // Only where it applies (the form shows it there): a switch left on does not block a sharing run.
    progressive: s.expProgressive && s.expMethod === 'oneshot' && s.expKind !== 'sharing',
  };
}

/** The encoder measurement for these settings: the experiment's texts, seeds and step budget, the Compress view's learning rate and layout. */
export function toEncoderEvalSpec(s: ExperimentSettings & { lr: number; layout: LayoutName; firstTarget: FirstTarget }, files: ExperimentText[]): EncoderEvalSpec {
  const { source, texts, seeds, textSeed, steps, lr, layout, firstTarget } = toExperimentSpec(s, files);
  return { source, files: source === 'files' ? files : [], texts, seeds, textSeed, steps, lr, layout, firstTarget, warmStart: s.expWarmStart };
}
