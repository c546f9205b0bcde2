import { describe, expect, it } from 'vitest';
import { addSample, remainingMs, type EtaSample } from '../../src/util/eta.ts';

const steady = (n: number, msPerUnit: number): EtaSample[] => Array.from({ length: n }, (_, i) => ({ t: i * msPerUnit, done: i }));

describe('time left', () => {
  it('a steady task: work left times the time per unit', () => {
    expect(remainingMs(steady(5, 200), 10)).toBeCloseTo(6 * 200);
  });

  it('unknown before two samples or without progress; zero once done', () => {
    expect(remainingMs([], 10)).toBeNull();
    expect(remainingMs([{ t: 0, done: 0 }], 10)).toBeNull();
    expect(remainingMs([{ t: 0, done: 3 }, { t: 500, done: 3 }], 10)).toBeNull();
    expect(remainingMs([{ t: 0, done: 3 }, { t: 500, done: 10 }], 10)).toBe(0);
  });

  it('follows the recent rate, not the rate since the start', () => {
    // 10 units at 1 s each, then 10 more at 0.1 s each: the last minute is all fast.
    const slowThenFast: EtaSample[] = [...steady(11, 1000), ...Array.from({ length: 10 }, (_, i) => ({ t: 10_000 + (i + 1) * 100, done: 11 + i }))];
    const ms = remainingMs(slowThenFast, 40, 900)!;
    expect(ms).toBeCloseTo(20 * 100, 5);
    // With a window covering everything, the average rate is slower.
    expect(remainingMs(slowThenFast, 40, 1e9)!).toBeGreaterThan(ms * 2);
  });

  it('sparse samples older than the window still give an estimate from the last two', () => {
    expect(remainingMs([{ t: 0, done: 0 }, { t: 120_000, done: 1 }], 3, 60_000)).toBeCloseTo(240_000);
  });

  it('addSample keeps the window and one more, and restarts when the work goes backwards', () => {
    let s: EtaSample[] = [];
    for (let i = 0; i <= 100; i++) s = addSample(s, { t: i * 1000, done: i }, 10_000);
    expect(s.length).toBeLessThanOrEqual(12);
    expect(s[s.length - 1]).toEqual({ t: 100_000, done: 100 });
    expect(remainingMs(s, 110, 10_000)).toBeCloseTo(10_000);
    expect(addSample(s, { t: 101_000, done: 50 })).toEqual([{ t: 101_000, done: 50 }]);
  });
});
