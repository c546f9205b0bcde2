import { describe, expect, it } from 'vitest';
import { tfidf, tfidfDistances } from '../../src/geometry/tfidf.ts';
import { boxStats, sharedHistogram } from '../../src/geometry/summary.ts';

describe('TF-IDF cosine distance over token ids', () => {
  it('weights by hand: tf = count, idf = ln((1+n)/(1+df)) + 1, unit length', () => {
    const docs = [
      [1, 1, 2],
      [2, 3],
    ];
    const m = tfidf(docs);
    expect(m.terms).toEqual([1, 2, 3]);
    const idfRare = Math.log(3 / 2) + 1; // tokens 1 and 3 are in one of two texts
    expect(Array.from(m.idf)).toEqual([idfRare, 1, idfRare]);
    const d0 = [2 * idfRare, 1, 0];
    const d1 = [0, 1, idfRare];
    const n0 = Math.hypot(...d0);
    const n1 = Math.hypot(...d1);
    m.vectors[0].forEach((x, j) => expect(x).toBeCloseTo(d0[j] / n0, 15));
    m.vectors[1].forEach((x, j) => expect(x).toBeCloseTo(d1[j] / n1, 15));
    expect(tfidfDistances(docs)[0][1]).toBeCloseTo(1 - 1 / (n0 * n1), 14);
  });

  it('identical texts are at distance 0, disjoint ones at 1, order does not matter', () => {
    const d = tfidfDistances([
      [5, 6, 7],
      [7, 6, 5],
      [8, 9],
    ]);
    expect(d[0][1]).toBeCloseTo(0, 15);
    expect(d[0][2]).toBe(1);
    expect(d[2][1]).toBe(1);
  });

  it('refuses an empty text and an empty corpus', () => {
    expect(() => tfidf([])).toThrow(/at least one text/);
    expect(() => tfidf([[1], []])).toThrow(/no tokens/);
  });
});

describe('distance summaries for Fig. 6', () => {
  it('box-plot numbers by hand (R-7 quartiles, Tukey whiskers)', () => {
    const b = boxStats([1, 2, 3, 4, 100])!;
    expect(b).toMatchObject({ n: 5, min: 1, q1: 2, median: 3, q3: 4, max: 100, mean: 22, whiskerLow: 1, whiskerHigh: 4, outliers: [100] });
    const c = boxStats([0.1, 0.4])!;
    expect(c.q1).toBeCloseTo(0.175, 15); // 0.1 + 0.25 · 0.3
    expect(c.median).toBeCloseTo(0.25, 15);
    expect(boxStats([])).toBeNull();
  });

  it('histograms share bins across samples; densities integrate to 1', () => {
    const h = sharedHistogram({ a: [0, 0.1, 0.2, 1], b: [0.5, 0.55] }, 4);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(h.counts.a).toEqual([3, 0, 0, 1]); // the top edge falls in the last bin
    expect(h.counts.b).toEqual([0, 0, 2, 0]);
    for (const k of ['a', 'b']) expect(h.density[k].reduce((s, x) => s + x * 0.25, 0)).toBeCloseTo(1, 12);
    expect(() => sharedHistogram({ a: [1] }, 0)).toThrow(/positive whole number/);
    expect(sharedHistogram({ a: [2, 2] }, 2).counts.a).toEqual([0, 2]);
  });
});
