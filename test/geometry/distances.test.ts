import { describe, expect, it } from 'vitest';
import { cosineDistance, pairwiseCosine, solutionDistances, solutionVector } from '../../src/geometry/distances.ts';
import { distancesByKind, groupedOrder, pairKind, permuteMatrix, runsOf, type SolutionLabel } from '../../src/geometry/grouping.ts';

describe('cosine distance between solutions', () => {
  it('matches hand computations', () => {
    expect(cosineDistance([1, 0], [0, 1])).toBe(1);
    expect(cosineDistance([1, 0], [-3, 0])).toBe(2);
    expect(cosineDistance([2, 2], [5, 5])).toBeCloseTo(0, 15);
    // [1,2,3]·[4,5,6] = 32, |a|² = 14, |b|² = 77
    expect(cosineDistance([1, 2, 3], [4, 5, 6])).toBeCloseTo(1 - 32 / Math.sqrt(14 * 77), 15);
  });

  it('accumulates in float64: float32 inputs keep a tiny distance', () => {
    const a = new Float32Array(4096).map((_, i) => Math.sin(i));
    const b = a.map((x, i) => x + (i === 7 ? 1e-3 : 0));
    const d = cosineDistance(a, b);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(1e-6);
  });

  it('refuses zero vectors and mismatched widths with a reason', () => {
    expect(() => cosineDistance([0, 0], [1, 0])).toThrow(/non-zero/);
    expect(() => cosineDistance([1, 0], [1, 0, 0])).toThrow(/different widths \(2 and 3\)/);
  });

  it('compares e and m concatenated, or either alone', () => {
    const a = { e: Float32Array.of(1, 0), m: Float32Array.of(0, 2) };
    const b = { e: Float32Array.of(0, 1), m: Float32Array.of(0, 2) };
    expect(Array.from(solutionVector(a))).toEqual([1, 0, 0, 2]);
    // [1,0,0,2]·[0,1,0,2] = 4, both norms² = 5
    expect(solutionDistances([a, b], 'em')[0][1]).toBeCloseTo(1 - 4 / 5, 15);
    expect(solutionDistances([a, b], 'e')[0][1]).toBe(1);
    expect(solutionDistances([a, b], 'm')[0][1]).toBe(0);
  });

  it('pairwise matrix: symmetric, zero diagonal, each entry the pair distance', () => {
    const vs = [
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 3],
    ];
    const m = pairwiseCosine(vs);
    expect(m[0][0]).toBe(0);
    expect(m[0][1]).toBeCloseTo(1 - 1 / Math.SQRT2, 15);
    expect(m[1][0]).toBe(m[0][1]);
    expect(m[0][2]).toBe(1);
    expect(m[2][1]).toBe(1);
  });
});

describe('grouping by text and context', () => {
  // Two contexts; context A has texts a1 (3 seeds) and a2; context B has b1; x has no known context.
  const labels: SolutionLabel[] = [
    { textId: 'b1', contextId: 'B' },
    { textId: 'a1', contextId: 'A' },
    { textId: 'a2', contextId: 'A' },
    { textId: 'a1', contextId: 'A' },
    { textId: 'x' },
    { textId: 'a1', contextId: 'A' },
  ];

  it('pair kinds: same text beats same context; unknown contexts are never "same context"', () => {
    expect(pairKind(labels[1], labels[3])).toBe('same-text');
    expect(pairKind(labels[1], labels[2])).toBe('same-context');
    expect(pairKind(labels[0], labels[1])).toBe('different-context');
    expect(pairKind({ textId: 'p' }, { textId: 'q' })).toBe('different-context');
    expect(pairKind({ textId: 'p', contextId: '' }, { textId: 'q', contextId: '' })).toBe('different-context');
  });

  it('grouped order keeps contexts, then texts, together (first appearance order)', () => {
    const order = groupedOrder(labels);
    expect(order).toEqual([0, 1, 3, 5, 2, 4]);
    expect(runsOf(order, (i) => labels[i].contextId ?? `text:${labels[i].textId}`).map((r) => [r.key, r.start, r.end])).toEqual([
      ['B', 0, 1],
      ['A', 1, 5],
      ['text:x', 5, 6],
    ]);
    expect(runsOf(order, (i) => labels[i].textId).map((r) => r.key)).toEqual(['b1', 'a1', 'a2', 'x']);
  });

  it('splits the upper triangle by kind, each pair once', () => {
    const n = labels.length;
    const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : 10 * Math.min(i, j) + Math.max(i, j))));
    const by = distancesByKind(m, labels);
    expect(by['same-text'].sort()).toEqual([13, 15, 35]);
    expect(by['same-context'].sort()).toEqual([12, 23, 25]);
    expect(by['different-context'].length).toBe((n * (n - 1)) / 2 - 6);
    expect(() => distancesByKind(m.slice(1), labels)).toThrow(/5 rows of distances for 6 solutions/);
  });

  it('permutes a matrix consistently', () => {
    const m = [
      [0, 1, 2],
      [1, 0, 3],
      [2, 3, 0],
    ];
    expect(permuteMatrix(m, [2, 0, 1])).toEqual([
      [0, 2, 3],
      [2, 0, 1],
      [3, 1, 0],
    ]);
  });
});
