/**
 * From the experiment's results to what the plots draw (pure, tested in Node): the solution
 * heatmap in grouped order with its group runs, the Fig. 6 samples, and the Fig. 7 matrix.
 */
import { distancesByKind, groupedOrder, permuteMatrix, runsOf } from '../../../geometry/grouping.ts';
import type { GeometryResult, PairKind, SolutionLabel, SolutionPart } from '../../../worker/protocol.ts';

export interface GroupedMatrix {
  matrix: number[][];
  names: string[];
  outer: { key: string; start: number; end: number }[];
  inner: { key: string; start: number; end: number }[];
}

/** Short name of a solution: context k, continuation j, seed r (1-based, as people count). */
export function solutionName(r: GeometryResult, i: number): string {
  const s = r.solutions[i];
  const t = r.texts[s.text];
  return `c${t.context + 1}·t${t.j + 1}·s${s.restart + 1}`;
}

/** The distance matrix of `part`, rows and columns ordered by context, then text. */
export function groupedDistances(r: GeometryResult, part: SolutionPart): GroupedMatrix | null {
  if (!r.distances || r.solutions.length === 0) return null;
  const order = groupedOrder(r.labels);
  const ctx = (i: number) => `context ${r.texts[r.solutions[i].text].context + 1}`;
  const txt = (i: number) => r.labels[i].textId;
  return {
    matrix: permuteMatrix(r.distances[part], order),
    names: order.map((i) => solutionName(r, i)),
    outer: runsOf(order, ctx),
    inner: runsOf(order, txt),
  };
}

export function fig6Samples(r: GeometryResult, part: SolutionPart): Record<PairKind, number[]> | null {
  if (!r.distances || r.solutions.length < 2) return null;
  return distancesByKind(r.distances[part], r.labels);
}

/**
 * Fig. 7: the solutions of texts with several seeds, grouped by text; cell (a, b) = mean accuracy
 * along the straight segment between them, the diagonal = the solution's own accuracy, and pairs
 * of different texts (no common loss) or not yet scanned = NaN.
 */
export function fig7Matrix(r: GeometryResult): GroupedMatrix | null {
  const byText = new Map<number, number[]>();
  r.solutions.forEach((s, i) => byText.set(s.text, [...(byText.get(s.text) ?? []), i]));
  const rows = [...byText.values()].filter((sols) => sols.length > 1).flat();
  if (rows.length === 0) return null;
  const pos = new Map(rows.map((i, k) => [i, k]));
  const matrix = rows.map((i) => rows.map((j) => (i === j ? r.solutions[i].accuracy : NaN)));
  for (const p of r.interpolation) {
    const a = pos.get(p.a);
    const b = pos.get(p.b);
    if (a === undefined || b === undefined) continue;
    matrix[a][b] = matrix[b][a] = p.meanAccuracy;
  }
  const ctx = (i: number) => `context ${r.texts[r.solutions[i].text].context + 1}`;
  return { matrix, names: rows.map((i) => solutionName(r, i)), outer: runsOf(rows, ctx), inner: runsOf(rows, (i) => String(r.solutions[i].text)) };
}

/** Library solutions as heatmap labels: the text is the token ids; the context a `context:NAME` tag, if any. */
export function libraryLabels(records: readonly { ids: number[]; tags: string[] }[]): SolutionLabel[] {
  return records.map((r) => {
    const tag = r.tags.find((t) => t.startsWith('context:'));
    return { textId: r.ids.join(','), ...(tag ? { contextId: tag.slice('context:'.length) } : {}) };
  });
}

/**
 * Any distance matrix in grouped order: contexts (a text of unknown context is a group of its
 * own, named after its text), then texts; `textNames` names each solution's text.
 */
export function groupedByLabels(matrix: readonly (readonly number[])[], labels: readonly SolutionLabel[], names: readonly string[], textNames: readonly string[]): GroupedMatrix {
  const order = groupedOrder(labels);
  return {
    matrix: permuteMatrix(matrix, order),
    names: order.map((i) => names[i]),
    outer: runsOf(order, (i) => (labels[i].contextId ? `context ${labels[i].contextId}` : textNames[i])),
    inner: runsOf(order, (i) => labels[i].textId),
  };
}

/**
 * Fig. 5's question, "at the same text distance, are same-context solutions closer?": the mean y of
 * the points in each of `bins` equal-width bins of x over [lo, hi] (the last bin holds hi), with the
 * bin's centre and count; empty bins are left out.
 */
export function binnedMeans(points: readonly { x: number; y: number }[], lo: number, hi: number, bins = 6): { x: number; y: number; n: number }[] {
  if (!(hi > lo)) {
    if (points.length === 0) return [];
    return [{ x: lo, y: points.reduce((s, p) => s + p.y, 0) / points.length, n: points.length }];
  }
  const w = (hi - lo) / bins;
  const sum = new Array<number>(bins).fill(0);
  const count = new Array<number>(bins).fill(0);
  for (const p of points) {
    if (!(p.x >= lo && p.x <= hi)) continue;
    const k = Math.min(bins - 1, Math.floor((p.x - lo) / w));
    sum[k] += p.y;
    count[k]++;
  }
  return sum.flatMap((s, k) => (count[k] ? [{ x: lo + (k + 0.5) * w, y: s / count[k], n: count[k] }] : []));
}
