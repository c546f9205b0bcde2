import { describe, expect, it } from 'vitest';
import { medianRatio, splitWarmStart, summariseFractions, summariseSteps, warmStartItems } from '../../src/encoder/summary.ts';

// The encoder measurement's summaries, shared by `protolab encoder eval` and the Experiments view.

describe('encoder measurement summaries', () => {
  it('steps: median and quartiles, an unsolved run counting as more than the budget', () => {
    expect(summariseSteps([10, 30, 20])).toEqual({ solved: 3, items: 3, median: 20, q1: 15, q3: 25 });
    // Half unsolved: the median sits between a number and "more than the budget", so it is unknown.
    expect(summariseSteps([10, null])).toEqual({ solved: 1, items: 2, median: null, q1: null, q3: null });
    expect(summariseSteps([10, 20, 40, null])).toMatchObject({ solved: 3, median: 30, q1: 17.5, q3: null });
  });

  it('fractions: mean, population sd, min, max', () => {
    const z = summariseFractions([0.5, 1, 0]);
    expect(z.mean).toBeCloseTo(0.5, 12);
    expect(z.sd).toBeCloseTo(Math.sqrt(1 / 6), 12);
    expect([z.min, z.max]).toEqual([0, 1]);
  });

  it('ratio of the medians, null when either is unsolved', () => {
    expect(medianRatio(summariseSteps([10]), summariseSteps([40]))).toBe(0.25);
    expect(medianRatio(summariseSteps([null]), summariseSteps([40]))).toBeNull();
  });

  it('the warm-start batch: per text one item from the prediction, then S seeded draws; split back per text', () => {
    const m = new Float32Array([9]);
    const starts = [{ e: new Float32Array([1]), m }, { e: new Float32Array([2]), m: new Float32Array([3]) }];
    const items = warmStartItems([[5, 6], [7, 8]], starts, 2, 100);
    expect(items.map((it) => [it.tokens, it.start && it.start.e[0], it.seed])).toEqual([
      [[5, 6], 1, 100],
      [[5, 6], null, 100],
      [[5, 6], null, 101],
      [[7, 8], 2, 100],
      [[7, 8], null, 100],
      [[7, 8], null, 101],
    ]);
    expect(items[0].start!.m).toBe(m);
    expect(items[3].start!.m[0]).toBe(3);
    expect(splitWarmStart([1, 2, 3, 4, null, 6], 2, 2)).toEqual({ fromEncoder: [1, 4], fromDraw: [[2, 3], [null, 6]] });
  });
});
