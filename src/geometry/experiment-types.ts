/**
 * The geometry experiment's settings, progress and results as plain data (they cross the worker
 * boundary and live in the UI store). Pure: no engine imports, so the UI may use these through the
 * worker protocol.
 */
import type { PairKind, SolutionLabel } from './grouping.ts';
import type { SolutionPart } from './distances.ts';
import type { EmbedderPreference } from './text-embedder.ts';
import { choiceField, defaultsOf, wholeField, type Field, type FieldTable } from '../shared/fields.ts';

export interface GeometrySettings {
  /** K: contexts drawn from the text source. */
  contexts: number;
  /** J: continuations the model samples after each context (temperature 1). */
  continuations: number;
  /** R: seeds (restarts) for the last continuation of each context; the others get one (the paper: 10 and 1). */
  restarts: number;
  /** Tokens of each context and of each continuation. */
  length: number;
  /** Optimisation steps per solution (it stops early once every solution is exact). */
  steps: number;
  /** Seed of the contexts, the sampling and the initial proto-tokens. */
  seed: number;
  /** Points along tau in [0, 1] of each linear interpolation (Fig. 7). */
  scanPoints: number;
  /** Semantic text distance: MiniLM when available ('auto'), forced MiniLM, or the model's hidden states. */
  embedder: EmbedderPreference;
  /** Text source of the contexts (src/datasets/served.ts). */
  source: (typeof GEOMETRY_SOURCES)[number];
}

/** The text sources the dev server offers for contexts (src/datasets/served.ts). */
export const GEOMETRY_SOURCES = ['pg19', 'pg19-all', 'recent'] as const;

/** Declared once (src/shared/fields.ts): the geometry view's form and URL, and the worker's check, read them. */
export const GEOMETRY_FIELDS: FieldTable<GeometrySettings> = {
  contexts: wholeField({ key: 'contexts', url: 'geo_k', label: 'contexts', help: 'K: contexts drawn from the text source', fallback: 4, min: 1, max: 100 }),
  continuations: wholeField({ key: 'continuations', url: 'geo_j', label: 'continuations', help: 'J: continuations sampled after each context', fallback: 4, min: 1, max: 50 }),
  restarts: wholeField({ key: 'restarts', url: 'geo_r', label: 'restarts', help: 'R: seeds for the last continuation of each context', fallback: 4, min: 1, max: 50 }),
  length: wholeField({ key: 'length', url: 'geo_len', label: 'length', help: 'tokens of each context and continuation', fallback: 16, min: 1, max: 512 }),
  steps: wholeField({ key: 'steps', url: 'geo_steps', label: 'steps', help: 'optimisation steps per solution', fallback: 300, min: 1, max: 100_000 }),
  seed: wholeField({ key: 'seed', url: 'geo_seed', label: 'seed', help: 'seed of the contexts, the sampling and the proto-tokens', fallback: 0, min: 0, max: 0xffffffff }),
  scanPoints: wholeField({ key: 'scanPoints', url: 'geo_scan', label: 'scan points', help: 'points along each linear interpolation', fallback: 11, min: 2, max: 201 }),
  embedder: choiceField({ key: 'embedder', url: 'geo_embed', label: 'text embedding', help: 'MiniLM when available, forced, or the model', fallback: 'auto', values: ['auto', 'minilm', 'model'] }),
  source: choiceField({ key: 'source', url: 'geo_source', label: 'context source', help: 'where the contexts come from', fallback: 'pg19', values: GEOMETRY_SOURCES }),
};

export const DEFAULT_GEOMETRY: GeometrySettings = defaultsOf(GEOMETRY_FIELDS);

/** Every problem with the settings (empty when they can run); each names the field and the range. */
export function geometryProblems(s: GeometrySettings): string[] {
  const out: string[] = [];
  for (const f of Object.values<Field>(GEOMETRY_FIELDS)) {
    const why = f.check(s[f.key as keyof GeometrySettings]);
    if (why) out.push(`${f.label} ${why}`);
  }
  if (out.length === 0 && s.continuations === 1 && s.restarts === 1 && s.contexts === 1) out.push('one context, one continuation and one seed give a single solution: nothing to compare; raise K, J or R');
  return out;
}

export const GEOMETRY_PHASES = ['contexts', 'generate', 'compress', 'embed', 'interpolate'] as const;
export type GeometryPhase = (typeof GEOMETRY_PHASES)[number];

export const GEOMETRY_PHASE_TITLES: Record<GeometryPhase, string> = {
  contexts: 'drawing contexts',
  generate: 'sampling continuations',
  compress: 'compressing (batched)',
  embed: 'text distances',
  interpolate: 'linear interpolations',
};

export interface GeometryProgress {
  phase: GeometryPhase;
  /** Work done and to do in this phase, in `unit`. */
  done: number;
  total: number;
  unit: string;
  /** Since the experiment started. */
  elapsedMs: number;
  /** Time left in this phase (null until it can be told). */
  phaseLeftMs: number | null;
}

export interface GeometryText {
  id: string;
  /** Which context (0..K-1) and which continuation of it (0..J-1). */
  context: number;
  contextId: string;
  j: number;
  tokens: number[];
  text: string;
  contextText: string;
}

export interface GeometrySolution {
  /** Index into the texts. */
  text: number;
  /** Restart number of its text (0 for texts with one seed) and the seed that drew its start. */
  restart: number;
  seed: number;
  /** Best correct tokens / N. */
  accuracy: number;
}

/** A pair of different texts for Fig. 5: their distances as texts and as solutions. */
export interface TextPairPoint {
  a: number;
  b: number;
  kind: Exclude<PairKind, 'same-text'>;
  tfidf: number;
  semantic: number;
  /** Cosine distance of the texts' first solutions ([e, m]). */
  solution: number;
}

/** Fig. 7: the straight segment between two seeds of one text. */
export interface InterpolationPair {
  text: number;
  /** Solution indices. */
  a: number;
  b: number;
  tau: number[];
  accuracy: number[];
  /** Mean accuracy along tau (trapezoid over the grid). */
  meanAccuracy: number;
}

export interface SemanticInfo {
  kind: 'minilm' | 'model-hidden';
  label: string;
  reason: string;
}

/** Results arrive in this order; the UI draws each as it comes. */
export type GeometryPartial =
  | { kind: 'texts'; texts: GeometryText[] }
  | {
      kind: 'solutions';
      solutions: GeometrySolution[];
      labels: SolutionLabel[];
      /** Pairwise cosine distances between all solutions, per compared part. */
      distances: Record<SolutionPart, number[][]>;
    }
  | { kind: 'textDistances'; tfidf: number[][]; semantic: number[][]; semanticInfo: SemanticInfo; pairs: TextPairPoint[] }
  | { kind: 'interpolation'; pair: InterpolationPair };

export interface GeometryResult {
  settings: GeometrySettings;
  texts: GeometryText[];
  solutions: GeometrySolution[];
  labels: SolutionLabel[];
  distances: Record<SolutionPart, number[][]> | null;
  tfidf: number[][] | null;
  semantic: number[][] | null;
  semanticInfo: SemanticInfo | null;
  pairs: TextPairPoint[];
  interpolation: InterpolationPair[];
  /** Pairs Fig. 7 will have when complete. */
  interpolationTotal: number;
}

export function emptyGeometryResult(settings: GeometrySettings): GeometryResult {
  return { settings, texts: [], solutions: [], labels: [], distances: null, tfidf: null, semantic: null, semanticInfo: null, pairs: [], interpolation: [], interpolationTotal: 0 };
}

/** Folds one partial result in (pure; the worker and the UI store build the same object). */
export function addPartial(r: GeometryResult, p: GeometryPartial): GeometryResult {
  switch (p.kind) {
    case 'texts':
      return { ...r, texts: p.texts };
    case 'solutions': {
      const perText = new Map<number, number>();
      for (const s of p.solutions) perText.set(s.text, (perText.get(s.text) ?? 0) + 1);
      const interpolationTotal = [...perText.values()].reduce((n, k) => n + (k * (k - 1)) / 2, 0);
      return { ...r, solutions: p.solutions, labels: p.labels, distances: p.distances, interpolationTotal };
    }
    case 'textDistances':
      return { ...r, tfidf: p.tfidf, semantic: p.semantic, semanticInfo: p.semanticInfo, pairs: p.pairs };
    case 'interpolation':
      return { ...r, interpolation: [...r.interpolation, p.pair] };
  }
}
