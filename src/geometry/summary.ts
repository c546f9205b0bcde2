/**
 * Summaries of a sample of distances for the Fig. 6 plots: the five numbers of a box plot (Tukey
 * whiskers at 1.5 IQR) and histogram counts on shared bins, so the three pairings can be drawn on
 * one axis and compared.
 */
import { bin, quantileSorted } from 'd3';

export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
  /** Tukey whiskers: the most extreme values within 1.5 IQR of the quartiles. */
  whiskerLow: number;
  whiskerHigh: number;
  /** Values beyond the whiskers, drawn as dots. */
  outliers: number[];
}

/** Box-plot numbers of a sample (quartiles by linear interpolation, R-7, as numpy and d3 do); null for an empty sample. */
export function boxStats(values: readonly number[]): BoxStats | null {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const q1 = quantileSorted(xs, 0.25)!;
  const q3 = quantileSorted(xs, 0.75)!;
  const iqr = q3 - q1;
  const lo = q1 - 1.5 * iqr;
  const hi = q3 + 1.5 * iqr;
  const inside = xs.filter((v) => v >= lo && v <= hi);
  return {
    n: xs.length,
    min: xs[0],
    q1,
    median: quantileSorted(xs, 0.5)!,
    q3,
    max: xs[xs.length - 1],
    mean: xs.reduce((s, v) => s + v, 0) / xs.length,
    whiskerLow: inside[0],
    whiskerHigh: inside[inside.length - 1],
    outliers: xs.filter((v) => v < lo || v > hi),
  };
}

export interface Histogram {
  /** Bin edges: bin k is [edges[k], edges[k+1]) (the last bin also holds its upper edge). */
  edges: number[];
  /** Per sample name: counts per bin, and the same as a density (fraction of the sample per unit). */
  counts: Record<string, number[]>;
  density: Record<string, number[]>;
}

/**
 * Histograms of several samples on the same `bins` equal-width bins spanning all of them, so the
 * bars line up. Densities make samples of very different sizes comparable (there are many more
 * different-context pairs than same-text ones).
 */
export function sharedHistogram(samples: Record<string, readonly number[]>, bins = 20): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`The number of histogram bins must be a positive whole number, got ${bins}.`);
  const all = Object.values(samples).flat().filter((v) => Number.isFinite(v));
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => (k === bins ? hi : lo + k * width));
  const binner = bin()
    .domain([lo, hi])
    .thresholds(edges.slice(1, -1));
  const counts: Record<string, number[]> = {};
  const density: Record<string, number[]> = {};
  for (const [name, vs] of Object.entries(samples)) {
    const finite = vs.filter((v) => Number.isFinite(v));
    const c = binner(finite).map((b) => b.length);
    counts[name] = c;
    density[name] = c.map((k) => (finite.length ? k / finite.length / width : 0));
  }
  return { edges, counts, density };
}
