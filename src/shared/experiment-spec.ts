/**
 * What the lab's experiments view asks the worker to run (issue 5 §4): one of the paper's
 * experiments as plain data, checked here so the page and the worker refuse the same things with
 * the same words. No engine imports: the UI uses this through src/worker/protocol.ts.
 */
import type { FirstTarget, LayoutName } from './layouts.ts';
import type { MethodName } from '../experiments/records.ts';

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
}

export const MAX_EXPERIMENT_TEXTS = 1000;
export const MAX_EXPERIMENT_SEEDS = 64;
export const MAX_MEMORY_TOKENS = 64;

const wholeIn = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** Lengths as typed ("1,2,4" or "1 2 4"), or a message saying what is wrong. */
export function parseLengths(text: string): number[] | string {
  const parts = text.split(/[\s,]+/u).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d+$/u.test(p) || !wholeIn(n, 1, 100_000)) return `"${p}" is not a length: give whole numbers of tokens from 1 to 100000, separated by commas`;
    out.push(n);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Every problem with a spec, one sentence each naming the field and what to do; empty when it can run. */
export function checkExperimentSpec(s: ExperimentSpec): string[] {
  const out: string[] = [];
  if (!(EXPERIMENT_KINDS as readonly string[]).includes(s.kind)) out.push(`Unknown experiment "${s.kind}": choose ${EXPERIMENT_KINDS.join(', ')}.`);
  if (s.method !== 'oneshot' && s.method !== 'memory') out.push(`Unknown method "${s.method}": choose oneshot or memory.`);
  if (!(EXPERIMENT_SOURCES as readonly string[]).includes(s.source)) out.push(`Unknown text source "${s.source}": choose ${EXPERIMENT_SOURCES.join(', ')}.`);
  if (!wholeIn(s.texts, 1, MAX_EXPERIMENT_TEXTS)) out.push(`Texts must be a whole number from 1 to ${MAX_EXPERIMENT_TEXTS}.`);
  if (!wholeIn(s.seeds, 1, MAX_EXPERIMENT_SEEDS)) out.push(`Seeds must be a whole number from 1 to ${MAX_EXPERIMENT_SEEDS}.`);
  if (!wholeIn(s.textSeed, 0, 0xffffffff)) out.push('The text seed must be a whole number from 0 to 4294967295.');
  if (!wholeIn(s.steps, 1, 100_000)) out.push('Steps must be a whole number from 1 to 100000.');
  if (!(typeof s.lr === 'number' && s.lr > 0 && s.lr <= 10)) out.push('The learning rate must be a positive number (at most 10).');
  if (!wholeIn(s.maxLength, 0, 100_000)) out.push('The longest length must be a whole number of tokens (0: no limit).');
  if (s.lengths.some((n) => !wholeIn(n, 1, 100_000))) out.push('Lengths must be whole numbers of tokens from 1 to 100000.');
  if (s.method === 'memory' && !wholeIn(s.memoryTokens, 1, MAX_MEMORY_TOKENS)) out.push(`Memory vectors must be a whole number from 1 to ${MAX_MEMORY_TOKENS}.`);
  if (s.kind !== 'capacity' && s.lengths.length === 0) out.push(`A ${s.kind} run trains at fixed lengths: give them (e.g. 1,2,4).`);
  if (s.kind === 'sharing') {
    if (s.method === 'memory') out.push('The memory-token method shares nothing between texts (Kuratov et al.): run sharing with the one-shot method.');
    if (s.groups.length === 0 || s.groups.some((g) => !wholeIn(g, 1, MAX_EXPERIMENT_TEXTS))) out.push('Group sizes must be whole numbers (e.g. 1,4,16; 1 = nothing shared).');
    else if (Math.max(...s.groups) > s.texts) out.push(`The largest group has ${Math.max(...s.groups)} texts but only ${s.texts} are asked for: raise the number of texts.`);
  }
  if (s.source === 'files' && s.files.length === 0) out.push('The "files" source has no texts: paste a text or pick .txt files.');
  return out;
}
