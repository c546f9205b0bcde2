/**
 * The experiments view's settings: part of LabSettings (so the URL restores them), as typed in the
 * form, with the checks the URL parser and the form share, and the spec the worker runs.
 */
import { type ExperimentSpec } from '../worker/protocol.ts';
import { EXPERIMENT_KINDS, EXPERIMENT_SOURCES, MAX_EXPERIMENT_SEEDS, MAX_EXPERIMENT_TEXTS, MAX_MEMORY_TOKENS, parseLengths, type ExperimentKind, type ExperimentSource, type ExperimentText } from '../shared/experiment-spec.ts';
import { type FirstTarget, type LayoutName } from '../shared/layouts.ts';

export interface ExperimentSettings {
  expKind: ExperimentKind;
  expMethod: 'oneshot' | 'memory';
  /** Memory vectors of the memory-token method. */
  expMemoryTokens: number;
  expSource: ExperimentSource;
  expTexts: number;
  expSeeds: number;
  expTextSeed: number;
  /** Step budget per attempt. */
  expSteps: number;
  /** As typed: "" is the paper's ladder (capacity), else lengths like "1,2,4". */
  expLengths: string;
  /** The ladder cut here (0: the model's positions). */
  expMaxLength: number;
  expShare: 'm' | 'e';
  /** Group sizes of a sharing run, as typed ("1,4,16"). */
  expGroups: string;
  /** Timed runs per method of a throughput measurement. */
  expRepeats: number;
}

export const EXPERIMENT_DEFAULTS: ExperimentSettings = {
  expKind: 'capacity',
  expMethod: 'oneshot',
  expMemoryTokens: 1,
  expSource: 'pg19',
  expTexts: 4,
  expSeeds: 1,
  expTextSeed: 0,
  expSteps: 300,
  expLengths: '',
  expMaxLength: 0,
  expShare: 'm',
  expGroups: '1,4',
  expRepeats: 5,
};

/** URL parameter of each field. */
export const EXPERIMENT_FIELD_KEYS: Record<keyof ExperimentSettings, string> = {
  expKind: 'exp',
  expMethod: 'exp_method',
  expMemoryTokens: 'exp_k',
  expSource: 'exp_source',
  expTexts: 'exp_texts',
  expSeeds: 'exp_seeds',
  expTextSeed: 'exp_text_seed',
  expSteps: 'exp_steps',
  expLengths: 'exp_lengths',
  expMaxLength: 'exp_max',
  expShare: 'exp_share',
  expGroups: 'exp_groups',
  expRepeats: 'exp_repeats',
};

export function isExperimentField(key: string): key is keyof ExperimentSettings {
  return Object.hasOwn(EXPERIMENT_FIELD_KEYS, key);
}

const whole = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const wholeOr = (v: unknown, lo: number, hi: number, what: string) => (whole(v, lo, hi) ? null : `${what} must be a whole number from ${lo} to ${hi}`);

/** Why a value does not fit a field, or null. */
export function checkExperimentField(key: keyof ExperimentSettings, v: unknown): string | null {
  switch (key) {
    case 'expKind':
      return (EXPERIMENT_KINDS as readonly unknown[]).includes(v) ? null : `unknown experiment ${JSON.stringify(v)} (one of ${EXPERIMENT_KINDS.join(', ')})`;
    case 'expMethod':
      return v === 'oneshot' || v === 'memory' ? null : 'method must be "oneshot" or "memory"';
    case 'expSource':
      return (EXPERIMENT_SOURCES as readonly unknown[]).includes(v) ? null : `unknown text source ${JSON.stringify(v)} (one of ${EXPERIMENT_SOURCES.join(', ')})`;
    case 'expShare':
      return v === 'm' || v === 'e' ? null : 'the shared vector must be "m" or "e"';
    case 'expMemoryTokens':
      return wholeOr(v, 1, MAX_MEMORY_TOKENS, 'memory vectors');
    case 'expTexts':
      return wholeOr(v, 1, MAX_EXPERIMENT_TEXTS, 'texts');
    case 'expSeeds':
      return wholeOr(v, 1, MAX_EXPERIMENT_SEEDS, 'seeds');
    case 'expTextSeed':
      return wholeOr(v, 0, 0xffffffff, 'the text seed');
    case 'expSteps':
      return wholeOr(v, 1, 100_000, 'steps');
    case 'expMaxLength':
      return wholeOr(v, 0, 100_000, 'the longest length (0: no limit)');
    case 'expRepeats':
      return wholeOr(v, 1, 100, 'repeats');
    case 'expLengths':
    case 'expGroups': {
      if (typeof v !== 'string') return `${key === 'expLengths' ? 'lengths' : 'group sizes'} must be text`;
      const r = parseLengths(v);
      return typeof r === 'string' ? r : null;
    }
  }
}

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
  };
}
