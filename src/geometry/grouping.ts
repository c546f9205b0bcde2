/**
 * Which text and which context each solution belongs to, and what that makes of a pair: the three
 * pairings of the paper's Fig. 6 (same text with another seed, another text from the same context,
 * texts from different contexts).
 */

export interface SolutionLabel {
  /** Identifies the target text (restarts of one text share it). */
  textId: string;
  /** Identifies the context the text was generated from ('' or absent: unknown). */
  contextId?: string;
}

export type PairKind = 'same-text' | 'same-context' | 'different-context';
export const PAIR_KINDS: readonly PairKind[] = ['same-text', 'same-context', 'different-context'];

export const PAIR_KIND_TITLES: Record<PairKind, string> = {
  'same-text': 'same text, other seed',
  'same-context': 'other text, same context',
  'different-context': 'different context',
};

/**
 * Same text wins over same context (restarts of one text share its context too). Texts without a
 * known context are only ever 'same-text' or 'different-context': nothing says they share one.
 */
export function pairKind(a: SolutionLabel, b: SolutionLabel): PairKind {
  if (a.textId === b.textId) return 'same-text';
  if (a.contextId && a.contextId === b.contextId) return 'same-context';
  return 'different-context';
}

/**
 * A display order that keeps each context's solutions together and, inside it, each text's (first
 * appearance order kept at both levels), so a heatmap shows the groups as blocks on the diagonal.
 */
export function groupedOrder(labels: readonly SolutionLabel[]): number[] {
  const contextRank = new Map<string, number>();
  const textRank = new Map<string, number>();
  // A text of unknown context is a group of its own.
  const contextOf = (l: SolutionLabel) => l.contextId || `\u0000text:${l.textId}`;
  for (const l of labels) {
    if (!contextRank.has(contextOf(l))) contextRank.set(contextOf(l), contextRank.size);
    if (!textRank.has(l.textId)) textRank.set(l.textId, textRank.size);
  }
  const key = (l: SolutionLabel) => [contextRank.get(contextOf(l))!, textRank.get(l.textId)!];
  return labels
    .map((_, i) => i)
    .sort((i, j) => {
      const [ci, ti] = key(labels[i]);
      const [cj, tj] = key(labels[j]);
      return ci - cj || ti - tj || i - j;
    });
}

/** Contiguous runs of equal keys in `order` (group boundaries for a heatmap): [start, end) per run. */
export function runsOf(order: readonly number[], keyOf: (i: number) => string): { key: string; start: number; end: number }[] {
  const out: { key: string; start: number; end: number }[] = [];
  order.forEach((i, pos) => {
    const k = keyOf(i);
    const last = out[out.length - 1];
    if (last && last.key === k) last.end = pos + 1;
    else out.push({ key: k, start: pos, end: pos + 1 });
  });
  return out;
}

/** Reorders a square matrix's rows and columns. */
export function permuteMatrix(matrix: readonly (readonly number[])[], order: readonly number[]): number[][] {
  return order.map((i) => order.map((j) => matrix[i][j]));
}

export interface LabelledPair {
  i: number;
  j: number;
  kind: PairKind;
}

/** Every unordered pair i < j with its kind. */
export function labelledPairs(labels: readonly SolutionLabel[]): LabelledPair[] {
  const out: LabelledPair[] = [];
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) out.push({ i, j, kind: pairKind(labels[i], labels[j]) });
  return out;
}

/** The upper triangle of a distance matrix split by pair kind (the three samples of Fig. 6). */
export function distancesByKind(matrix: readonly (readonly number[])[], labels: readonly SolutionLabel[]): Record<PairKind, number[]> {
  if (matrix.length !== labels.length) throw new Error(`${matrix.length} rows of distances for ${labels.length} solutions.`);
  const out: Record<PairKind, number[]> = { 'same-text': [], 'same-context': [], 'different-context': [] };
  for (const p of labelledPairs(labels)) out[p.kind].push(matrix[p.i][p.j]);
  return out;
}
