/**
 * What the lab's experiments view asks the worker to run (issue 5 §4): one of the paper's
 * experiments as plain data, checked here so the page and the worker refuse the same things with
 * the same words. Its fields are declared once in EXPERIMENT_FIELDS: the page's form and URL, these
 * checks and the sweep command's flags read them. Pure: the UI and the worker both import it.
 */
import type { FirstTarget, LayoutName } from './layouts.ts';
import type { MethodName } from '../experiments/records.ts';
import { choiceField, parseWholeList, switchField, wholeField, wholeListField, type Field, type FieldTable } from './fields.ts';
import { PAPER_SETTINGS, RUN_FIELDS, type ProtoSettings } from './run-settings.ts';

/**
 * capacity: each text climbs the length ladder until it fails (Table 3, Figures 1 and 3).
 * layouts: fixed lengths, every layout of Table 1 (the memory method: one row, it has no layout).
 * sharing: fixed lengths, m or e shared within groups of each size (Table 2).
 */
export const EXPERIMENT_KINDS = ['capacity', 'layouts', 'sharing'] as const;
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number];

/** Sources served from assets/data, and 'files': texts the user pasted or picked. */
export const EXPERIMENT_SOURCES = ['pg19', 'random', 'generated', 'recent', 'pg19-all', 'files'] as const;
export type ExperimentSource = (typeof EXPERIMENT_SOURCES)[number];

export interface ExperimentText {
  /** Its id in the records (a file name). */
  name: string;
  text: string;
}

export interface ExperimentSpec {
  kind: ExperimentKind;
  method: MethodName;
  /** Memory vectors of the memory-token method. */
  memoryTokens: number;
  source: ExperimentSource;
  /** The texts of the 'files' source. */
  files: ExperimentText[];
  texts: number;
  seeds: number;
  /** Seed of the text selection (and of generated texts). */
  textSeed: number;
  /** Step budget per attempt, and the learning rate. */
  steps: number;
  lr: number;
  /** Lengths in tokens: the capacity ladder's rungs (empty: the paper's ladder), or the fixed lengths. */
  lengths: number[];
  /** The ladder cut at this many tokens (0: up to the model's positions). */
  maxLength: number;
  /** Layout of capacity and sharing runs (layouts runs all of them). */
  layout: LayoutName;
  firstTarget: FirstTarget;
  share: 'm' | 'e';
  /** Group sizes of a sharing run (1: nothing shared). */
  groups: number[];
  /** Each length starts from the previous length's best e and m (issue 19; one-shot, nothing shared). */
  progressive: boolean;
}

export const MAX_EXPERIMENT_TEXTS = 1000;
export const MAX_EXPERIMENT_SEEDS = 64;
export const MAX_MEMORY_TOKENS = 64;
const MAX_LENGTH = 100_000;

/** The experiment form as typed: the spec's own fields, with lengths and group sizes kept as text, and the throughput timing's repeats. */
export interface ExperimentForm {
  kind: ExperimentKind;
  method: MethodName;
  memoryTokens: number;
  source: ExperimentSource;
  texts: number;
  seeds: number;
  textSeed: number;
  steps: number;
  lengths: string;
  maxLength: number;
  share: 'm' | 'e';
  groups: string;
  progressive: boolean;
  repeats: number;
  /** The encoder measurement also runs the optimiser from its prediction and from draws. */
  warmStart: boolean;
}

export const EXPERIMENT_FIELDS: FieldTable<ExperimentForm> = {
  kind: choiceField({ key: 'kind', url: 'exp', label: 'experiment', help: 'capacity ladder, layout ablation or sharing', fallback: 'capacity', values: EXPERIMENT_KINDS }),
  method: choiceField({ key: 'method', url: 'exp_method', flag: 'method', label: 'method', help: 'proto-tokens, or the memory-token baseline', fallback: 'oneshot', values: ['oneshot', 'memory'] }),
  memoryTokens: wholeField({ key: 'memoryTokens', url: 'exp_k', flag: 'memory-tokens', label: 'memory vectors', help: 'memory vectors of the memory-token method', fallback: 1, min: 1, max: MAX_MEMORY_TOKENS, usage: 'K' }),
  source: choiceField({ key: 'source', url: 'exp_source', label: 'text source', help: 'where the texts come from', fallback: 'pg19', values: EXPERIMENT_SOURCES }),
  texts: wholeField({ key: 'texts', url: 'exp_texts', flag: 'texts', label: 'texts', help: 'texts drawn from the source', fallback: 4, min: 1, max: MAX_EXPERIMENT_TEXTS, usage: 'K' }),
  seeds: wholeField({ key: 'seeds', url: 'exp_seeds', flag: 'seeds', label: 'seeds', help: 'restarts per text', fallback: 1, min: 1, max: MAX_EXPERIMENT_SEEDS, usage: 'S' }),
  textSeed: wholeField({ key: 'textSeed', url: 'exp_text_seed', flag: 'text-seed', label: 'text seed', help: 'seed of the text selection', fallback: 0, min: 0, max: 0xffffffff, usage: 'K' }),
  // The step budget of each attempt, within the run settings' bounds (the sweep command's --steps is that run flag).
  steps: wholeField({ key: 'steps', url: 'exp_steps', label: 'steps', help: 'step budget per attempt', fallback: 300, ...RUN_FIELDS.maxSteps.range!, usage: 'S' }),
  lengths: wholeListField({ key: 'lengths', url: 'exp_lengths', flag: 'lengths', label: 'lengths', help: "fixed lengths in tokens (empty: the paper's ladder)", fallback: '', min: 1, max: MAX_LENGTH, usage: '4,5,8' }),
  maxLength: wholeField({ key: 'maxLength', url: 'exp_max', flag: 'max-length', label: 'longest length', help: "the ladder cut at this many tokens (0: the model's positions)", fallback: 0, min: 0, max: MAX_LENGTH }),
  share: choiceField({ key: 'share', url: 'exp_share', label: 'shared vector', help: 'which proto-token a group shares', fallback: 'm', values: ['m', 'e'] }),
  groups: wholeListField({ key: 'groups', url: 'exp_groups', label: 'group sizes', help: 'texts per group (1: nothing shared)', fallback: '1,4', min: 1, max: MAX_EXPERIMENT_TEXTS }),
  progressive: switchField({ key: 'progressive', url: 'exp_progressive', flag: 'progressive', label: 'progressive', help: "each length starts from the previous length's best e and m, the new positions taking m (one-shot, nothing shared)", fallback: false }),
  repeats: wholeField({ key: 'repeats', url: 'exp_repeats', flag: 'repeats', label: 'repeats', help: 'timed runs per method of a throughput measurement', fallback: 5, min: 1, max: 100, usage: 'R' }),
  // No flag: `protolab encoder eval` has its own --warm-start.
  warmStart: switchField({ key: 'warmStart', url: 'exp_warm', label: 'warm start', help: "also count the steps to accuracy 1.0 from the encoder's prediction and from the seeded draw", fallback: false }),
};

/** The run settings of an experiment's attempts: the paper's, with its step budget, and the Compress view's learning rate and layout. */
export function experimentRunSettings(s: Pick<ExperimentSpec, 'steps' | 'lr' | 'layout' | 'firstTarget'>): ProtoSettings {
  return { ...PAPER_SETTINGS, maxSteps: s.steps, lr: s.lr, layout: s.layout, firstTarget: s.firstTarget };
}

/** Lengths as typed ("1,2,4" or "1 2 4"), or a message saying what is wrong. */
export function parseLengths(text: string): number[] | string {
  const r = parseWholeList(text, 1, MAX_LENGTH);
  return Array.isArray(r) ? r : `"${r.bad}" is not a length: give whole numbers of tokens from 1 to ${MAX_LENGTH}, separated by commas`;
}

const sentence = (f: Field, why: string) => `${f.label[0].toUpperCase()}${f.label.slice(1)} ${why}.`;

/** Every problem with a spec, one sentence each naming the field and what to do; empty when it can run. */
export function checkExperimentSpec(s: ExperimentSpec): string[] {
  const out: string[] = [];
  const scalar = ['kind', 'method', 'source', 'texts', 'seeds', 'textSeed', 'steps', 'maxLength', 'share', 'progressive', ...(s.method === 'memory' ? ['memoryTokens' as const] : [])] as const;
  for (const key of scalar) {
    const why = EXPERIMENT_FIELDS[key].check(s[key]);
    if (why) out.push(sentence(EXPERIMENT_FIELDS[key], why));
  }
  const lr = RUN_FIELDS.lr.check(s.lr);
  if (lr) out.push(sentence(RUN_FIELDS.lr, lr));
  const lengths = EXPERIMENT_FIELDS.lengths.check(s.lengths.join(','));
  if (lengths) out.push(sentence(EXPERIMENT_FIELDS.lengths, lengths));
  if (s.kind !== 'capacity' && s.lengths.length === 0) out.push(`A ${s.kind} run trains at fixed lengths: give them (e.g. 1,2,4).`);
  if (s.kind === 'sharing') {
    if (s.method === 'memory') out.push('The memory-token method shares nothing between texts (Kuratov et al.): run sharing with the one-shot method.');
    const groups = EXPERIMENT_FIELDS.groups.check(s.groups.join(','));
    if (s.groups.length === 0) out.push('A sharing run needs group sizes: give them (e.g. 1,4,16; 1 = nothing shared).');
    else if (groups) out.push(sentence(EXPERIMENT_FIELDS.groups, groups));
    else if (Math.max(...s.groups) > s.texts) out.push(`The largest group has ${Math.max(...s.groups)} texts but only ${s.texts} are asked for: raise the number of texts.`);
  }
  if (s.progressive === true) {
    if (s.method === 'memory') out.push('Progressive starts warm-start the proto-tokens e and m of the one-shot method: the memory-token method has none.');
    if (s.kind === 'sharing') out.push('Progressive starts are for texts that share nothing: run sharing without them.');
  }
  if (s.source === 'files' && s.files.length === 0) out.push('The "files" source has no texts: paste a text or pick .txt files.');
  return out;
}
