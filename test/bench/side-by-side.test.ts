import { describe, expect, it } from 'vitest';
import { parseStepPy, schedule, summarise, table, type Sample } from '../../bench/side-by-side.ts';

describe('bench/side-by-side.ts: the alternation and its summary', () => {
  it('schedules every (round, N) once per side, the two back to back, the first side alternating', () => {
    const slots = schedule([16, 64, 256], 4);
    expect(slots).toHaveLength(3 * 4 * 2);
    for (let i = 0; i < slots.length; i += 2) {
      const [a, b] = [slots[i], slots[i + 1]];
      expect([a.round, a.N]).toEqual([b.round, b.N]);
      expect(new Set([a.side, b.side])).toEqual(new Set(['pytorch', 'lab']));
    }
    // Each side goes first half of the time at each N, so a drift lands on both.
    for (const N of [16, 64, 256]) {
      const firsts = slots.filter((_, i) => i % 2 === 0 && slots[i].N === N).map((s) => s.side);
      expect(firsts.filter((s) => s === 'pytorch')).toHaveLength(2);
    }
    // Consecutive N within a round flip the order too.
    expect(slots.slice(0, 4).map((s) => s.side)).toEqual(['pytorch', 'lab', 'lab', 'pytorch']);
  });

  it("reads step.py's JSON line for its N and says what it printed otherwise", () => {
    const out = 'warming up\n{"model": "stories260k", "N": 16, "ms_per_step": 11.87, "steps": 50}\n{"model": "stories260k", "N": 32, "ms_per_step": 16.8, "steps": 50}\n';
    expect(parseStepPy(out, 32)).toBe(16.8);
    expect(() => parseStepPy(out, 64)).toThrow(/no result for N = 64[\s\S]*warming up/);
    expect(() => parseStepPy('', 64)).toThrow(/\(nothing\)/);
  });

  it('compares medians, so one slow sample on either side does not decide the ratio', () => {
    const samples: Sample[] = [
      ...[10, 11, 40].map((ms, round) => ({ round, N: 16, side: 'pytorch' as const, ms })),
      ...[12, 13, 12.5].map((ms, round) => ({ round, N: 16, side: 'lab' as const, ms })),
      ...[124, 336, 130, 128].map((ms, round) => ({ round, N: 256, side: 'pytorch' as const, ms })),
      ...[111, 119, 300, 115].map((ms, round) => ({ round, N: 256, side: 'lab' as const, ms })),
    ];
    const [r16, r256] = summarise(samples);
    expect(r16).toMatchObject({ N: 16, pytorchMedian: 11, labMedian: 12.5, ratio: 1.136 });
    expect(r256).toMatchObject({ N: 256, pytorchMedian: 129, labMedian: 117, ratio: 0.907 });
    // Per round: 12/10, 13/11, 12.5/40 -> median 1.182; 111/124, 119/336, 300/130, 115/128 -> median (0.895 + 0.898) / 2.
    expect(r16.pairedRatio).toBe(1.182);
    expect(r256.pairedRatio).toBe(0.897);
    expect(table('stories260k', [r16, r256])).toContain('| 256 | 129.0 | 117.0 | 0.91× | 0.90× | 124, 336, 130, 128 | 111, 119, 300, 115 |');
    expect(() => summarise(samples.filter((s) => !(s.N === 16 && s.side === 'lab')))).toThrow(/N = 16: a side has no sample/);
  });
});
