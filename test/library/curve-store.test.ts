import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { CurveStore, pairKey } from '../../src/library/curve-store.ts';

describe('curve store (trained Bezier curves kept with their pair)', () => {
  const curve = (ids: [string, string]) => ({
    ids,
    control: Float64Array.from([0.1, -2.5, 1e-17, 3]),
    losses: [40, 20, 10],
    lengthRatio: 1.08,
    settings: { lr: 0.05, steps: 3, samples: 4, seed: 0 },
    stopped: false,
    seconds: 1.5,
    linearMeanLoss: 48,
    curveMeanLoss: 10,
  });

  it('keeps a curve across reopening, finds it from either order of the pair, exactly in float64', async () => {
    const s1 = await CurveStore.open('curves-test-1');
    await s1.put(curve(['b-id', 'a-id']), new Date('2026-01-02T03:04:05Z'));
    s1.close();
    const s2 = await CurveStore.open('curves-test-1');
    const got = await s2.get('a-id', 'b-id');
    expect(got?.key).toBe('a-id|b-id');
    expect(Array.from(got!.control)).toEqual([0.1, -2.5, 1e-17, 3]);
    expect(got?.savedAt).toBe('2026-01-02T03:04:05.000Z');
    expect((await s2.get('b-id', 'a-id'))?.lengthRatio).toBe(1.08);
    expect(await s2.get('a-id', 'c-id')).toBeNull();
    expect((await s2.involving('b-id')).map((c) => c.key)).toEqual(['a-id|b-id']);
    await s2.remove('b-id', 'a-id');
    expect(await s2.get('a-id', 'b-id')).toBeNull();
    s2.close();
  });

  it('a later curve for the same pair replaces the earlier one; ids are required', async () => {
    const s = await CurveStore.open('curves-test-2');
    await s.put(curve(['x', 'y']));
    await s.put({ ...curve(['y', 'x']), lengthRatio: 1.2 });
    expect((await s.involving('x')).map((c) => c.lengthRatio)).toEqual([1.2]);
    expect(() => pairKey('x', '')).toThrow(/both ids/);
    s.close();
  });
});
