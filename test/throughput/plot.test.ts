import { describe, it, expect } from 'vitest';
import { throughputPlot } from '../../src/throughput/plot.ts';
import type { ThroughputRecord, ThroughputTiming } from '../../src/throughput/throughput.ts';

function timing(method: 'oneshot' | 'memory', N: number, tps: number, reproduced: number | null): ThroughputTiming {
  const seconds = N / tps;
  return { method, vectors: reproduced === null ? 'stand-in' : 'solution', tokens: N, passes: method === 'oneshot' ? 1 : N, positions: N, runs: [seconds], seconds, minSeconds: seconds, tokensPerSecond: tps, reproduced, K: method === 'memory' ? 1 : undefined };
}

function record(N: number, one: [number, number | null], mem: [number, number | null]): ThroughputRecord {
  const oneShot = timing('oneshot', N, ...one);
  const memory = timing('memory', N, ...mem);
  return { model: 'm', modelFingerprint: 'f', adapter: 'a', N, oneShot, memory, speedup: oneShot.tokensPerSecond / memory.tokensPerSecond, repeats: 1, loadAverage: null, createdAt: '' };
}

/** [class, cx, cy] of every data marker. */
function markers(svg: string): [string, number, number][] {
  return [...svg.matchAll(/<circle class="([^"]+)" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
}

describe('throughput plot (SVG)', () => {
  const svg = throughputPlot([record(64, [800, null], [50, null]), record(8, [400, 8], [30, 8])], { title: 'T <&>', note: 'n' });

  it('one marker per method and length, filled only where the method reproduced the text with its own solution', () => {
    const m = markers(svg);
    expect(m.map(([c]) => c).sort()).toEqual(['memory', 'memory own', 'oneshot', 'oneshot own']);
    expect(svg).toContain('T &lt;&amp;&gt;');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('log axes: longer texts to the right, higher throughput higher up, decades equally spaced', () => {
    const at = (c: string) => markers(svg).find(([k]) => k === c)!;
    expect(at('oneshot')[1]).toBeGreaterThan(at('oneshot own')[1]); // N = 64 right of N = 8
    expect(at('oneshot')[2]).toBeLessThan(at('memory')[2]); // 800 tokens/s above 50
    // Log y: vertical gaps are ratios, so 400 → 800 tokens/s spans log 2 / log(5/3) times 30 → 50.
    const gapOne = at('oneshot own')[2] - at('oneshot')[2];
    const gapMem = at('memory own')[2] - at('memory')[2];
    expect(gapOne / gapMem).toBeCloseTo(Math.log(2) / Math.log(50 / 30), 2);
  });

  it('refuses an empty record list', () => {
    expect(() => throughputPlot([], { title: 'x' })).toThrow(/no throughput records/);
  });
});
