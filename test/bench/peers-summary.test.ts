import { describe, expect, it } from 'vitest';
import { roundOrder, stepsFor, summariseSide, table, verdicts } from '../../bench/peers/summary.ts';

describe('bench:peers summary', () => {
  it('reverses the sides every other round and lets each lead once in as many rounds as there are sides', () => {
    const s = ['a', 'b', 'c'];
    expect(roundOrder(s, 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(s, 1)).toEqual(['c', 'b', 'a']);
    expect(roundOrder(s, 2)).toEqual(['b', 'c', 'a']);
    const five = ['s0', 's1', 's2', 's3', 's4'];
    expect(new Set([0, 1, 2, 3, 4].map((r) => roundOrder(five, r)[0])).size).toBe(5);
    for (let r = 0; r < 6; r++) expect([...roundOrder(five, r)].sort()).toEqual(five);
  });

  it('sizes a sample from the warm-up pace, at least one step', () => {
    expect(stepsFor(10, 1500)).toBe(150);
    expect(stepsFor(5000, 1500)).toBe(1);
    expect(stepsFor(0.001, 1500)).toBe(200);
  });

  it('compares ours with the fastest WebGPU peer and the fastest wasm peer with ours', () => {
    const extra = { stepsPerSample: 1, dispatches: null, ownCount: null, firstMs: null };
    const rows = [
      summariseSide('ours', 16, [20, 18, 30], extra),
      summariseSide('tfjs-webgpu', 16, [500, 520], extra),
      summariseSide('jax-webgpu', 16, [200, 240, 220], extra),
      summariseSide('tfjs-wasm', 16, [25], extra),
      summariseSide('jax-wasm', 16, [], { ...extra, reason: 'too slow' }),
    ];
    expect(rows[0]).toMatchObject({ medianMs: 20, minMs: 18 });
    const v = verdicts(rows);
    expect(v.ratioToFastestWebgpu).toEqual([{ N: 16, fastest: 'jax-webgpu', ratio: 0.091 }]);
    expect(v.wasmAgainstOurs).toEqual([{ N: 16, fastest: 'tfjs-wasm', ratio: 1.25 }]);
    const t = table(rows, ['ours', 'tfjs-webgpu', 'jax-webgpu', 'tfjs-wasm', 'jax-wasm']);
    expect(t).toContain('| 16 | 20 / 18 | 510 / 500 | 220 / 200 | 25 / 25 | not timed | 0.091 (jax-webgpu) |');
  });
});
