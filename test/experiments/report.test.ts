import { describe, it, expect } from 'vitest';
import { sweepId, type SweepKey, type SweepRecord } from '../../src/experiments/records.ts';
import { summarise, capacityTable, layoutTable, sharingTable, reportJson, reportText, stat } from '../../src/experiments/report.ts';
import { reportPlots } from '../../src/experiments/plots.ts';
import { LADDER } from '../../src/experiments/ladder.ts';

// The report's arithmetic on records written out by hand (the sweep tests produce real ones).

const KEY: SweepKey = {
  method: 'oneshot',
  model: 'stories260k',
  modelFingerprint: 'f',
  layout: 'e,m*(N-1)',
  firstTarget: 'e',
  share: 'none',
  group: 1,
  source: 'pg19',
  textSeed: 0,
  seeds: 2,
  seedBase: 0,
  settings: { lr: 0.01, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0.01, maxSteps: 300, init: 'normal', patience: 0, reportEvery: 10 },
  stop: 'text',
  keepGoing: false,
  threshold: 0.99,
};

let n = 0;
function rec(key: Partial<SweepKey>, text: string, length: number, correct: number[], hLm = length * 3): SweepRecord {
  const k = { ...KEY, ...key, settings: { ...KEY.settings, ...(key.settings ?? {}) } };
  const accuracy = correct.map((c) => c / length);
  const best = Math.max(...accuracy);
  return {
    v: 1,
    sweep: sweepId(k),
    ...k,
    text,
    length,
    tokens: Array.from({ length }, (_, i) => i),
    batch: [text],
    attempt: `a${n++}`,
    of: 1,
    seedList: correct.map((_, i) => i),
    accuracy,
    correct,
    steps: correct.map(() => 100),
    best,
    mean: accuracy.reduce((a, b) => a + b, 0) / accuracy.length,
    passed: best >= 0.99,
    stepsRun: 100,
    seconds: 2,
    stoppedBy: best === 1 ? 'solved' : 'max-steps',
    hLm,
    hLmFirstToken: true,
    textLength: 64,
    lengths: LADDER.filter((L) => L <= 64),
    adapter: 'test',
    date: '2026-01-01T00:00:00.000Z',
  };
}

const pass = (L: number) => [L, L - 1];
const fail = (L: number) => [Math.floor(L / 2), 0];

describe('report', () => {
  const records = [
    // not shared, pg19: a passes 4, 5, 8 and fails 11 -> 8; b fails at 4 -> 0; c passes 4 only so far (unfinished).
    rec({}, 'a', 4, pass(4)),
    rec({}, 'a', 5, pass(5)),
    rec({}, 'a', 8, [8, 3], 30),
    rec({}, 'a', 11, fail(11)),
    rec({}, 'a', 16, pass(16)), // after the failure: not counted
    rec({}, 'b', 4, fail(4)),
    rec({}, 'c', 4, pass(4), 10),
    // shared m (groups of 2), pg19: a and b reach 5 and 4.
    rec({ share: 'm', group: 2 }, 'a', 4, pass(4)),
    rec({ share: 'm', group: 2 }, 'a', 5, [5, 4], 16),
    rec({ share: 'm', group: 2 }, 'a', 8, fail(8)),
    rec({ share: 'm', group: 2 }, 'b', 4, [4, 4], 11),
    rec({ share: 'm', group: 2 }, 'b', 5, fail(5)),
    // not shared, random: d reaches 11.
    rec({ source: 'random' }, 'd', 4, pass(4)),
    rec({ source: 'random' }, 'd', 5, pass(5)),
    rec({ source: 'random' }, 'd', 8, pass(8)),
    rec({ source: 'random' }, 'd', 11, pass(11), 77),
    rec({ source: 'random' }, 'd', 16, fail(16)),
  ];

  it('capacity: the last length passed before the first failure, with its C_tokens and H_LM', () => {
    const sums = summarise(records);
    expect(sums.map((s) => [s.key.share, s.key.source, s.texts.length])).toEqual([
      ['none', 'pg19', 3],
      ['m', 'pg19', 2],
      ['none', 'random', 1],
    ]);
    const [plain, shared, random] = sums;
    expect(plain.texts.map((t) => [t.text, t.capacity, t.cTokens, t.hLm, t.complete])).toEqual([
      ['a', 8, 8, 30, true],
      ['b', 0, 0, 0, true],
      ['c', 4, 4, 10, false],
    ]);
    expect(shared.texts.map((t) => [t.text, t.capacity, t.cTokens, t.hLm])).toEqual([
      ['a', 5, 5, 16],
      ['b', 4, 4, 11],
    ]);
    expect(random.texts[0].capacity).toBe(11);
    expect(plain.seconds).toBe(2 * 7);
  });

  it('Table 3: one column per method and sharing, C_tokens max and mean ± std and H_LM per source', () => {
    const t = capacityTable(summarise(records), 'text');
    const lines = t.split('\n');
    expect(lines[0]).toMatch(/^source\s+measure\s+oneshot not shared\s+oneshot shared m \(groups of 2\)$/);
    const row = (src: string | null, measure: string) => {
      const i = lines.findIndex((l, k) => l.includes(measure) && (src === null || lines.slice(0, k + 1).reverse().find((x) => /^\S/.test(x) && !x.startsWith('-'))!.startsWith(src)));
      return lines[i].trim().split(/\s{2,}/);
    };
    expect(row('pg19', 'C_tokens max')).toEqual(['C_tokens max', '8', '5']);
    const c = stat([8, 0, 4]);
    expect(row('pg19', 'C_tokens mean')).toEqual(['C_tokens mean', `${c.mean.toFixed(1)} ± ${c.std.toFixed(1)}`, '4.5 ± 0.5']);
    expect(row('pg19', 'H_LM')).toEqual(['H_LM (nats)', `${stat([30, 0, 10]).mean.toFixed(1)} ± ${stat([30, 0, 10]).std.toFixed(1)}`, '13.5 ± 2.5']);
    expect(row('pg19', 'texts')).toEqual(['pg19', 'texts', '3 (1 unfinished)', '2']);
    expect(t).toMatch(/^random\s+texts\s+1\s+–$/m);
    const md = capacityTable(summarise(records), 'markdown').split('\n');
    expect(md[0]).toBe('| source | measure | oneshot not shared | oneshot shared m (groups of 2) |');
    expect(md[1]).toBe('| --- | --- | ---: | ---: |');
  });

  it('sweeps that differ in a setting get their own, labelled columns', () => {
    const more = [...records, rec({ settings: { ...KEY.settings, maxSteps: 1000 } }, 'a', 4, pass(4))];
    const head = capacityTable(summarise(more), 'text').split('\n')[0];
    expect(head).toMatch(/oneshot not shared, 300 steps/);
    expect(head).toMatch(/oneshot not shared, 1000 steps/);
  });

  it('--json: capacity per text id (the best over sweeps holding it) and each sweep on its own', () => {
    const j = reportJson(summarise(records)) as { capacity: Record<string, number>; sweeps: { share: string; capacity: Record<string, number> }[] };
    expect(j.capacity).toEqual({ a: 8, b: 4, c: 4, d: 11 });
    expect(j.sweeps.map((s) => s.capacity)).toEqual([{ a: 8, b: 0, c: 4 }, { a: 5, b: 4 }, { d: 11 }]);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });

  const fixed = { keepGoing: true, seeds: 1 } as const;
  const table1 = [
    ...['p', 'q'].flatMap((t) => [rec({ ...fixed, layout: 'e*N' }, t, 1, [1]), rec({ ...fixed, layout: 'e*N' }, t, 2, [1]), rec({ ...fixed, layout: 'e*N' }, t, 4, t === 'p' ? [1] : [2])]),
    ...['p', 'q'].flatMap((t) => [1, 2, 4].map((L) => rec(fixed, t, L, [L]))),
  ];

  it('Table 1: accuracy of the best seed, mean ± std over texts, per arrangement and length', () => {
    const t = layoutTable(summarise(table1), 'text').split('\n');
    expect(t[0]).toMatch(/^arrangement\s+N = 1\s+N = 2\s+N = 4$/);
    expect(t[2]).toMatch(/^\[e\]×N\s+1\.00 ± 0\.00 \(2\)\s+0\.50 ± 0\.00 \(2\)\s+0\.38 ± 0\.13 \(2\)$/);
    expect(t[3]).toMatch(/^\[e\]\[m\]×\(N-1\)\s+1\.00 ± 0\.00 \(2\)\s+1\.00 ± 0\.00 \(2\)\s+1\.00 ± 0\.00 \(2\)$/);
    expect(capacityTable(summarise(table1), 'text')).toBe(''); // fixed-length runs are not capacities
  });

  it('Table 2: max and avg over seeds per shared vector and group size; no sharing is S_g = 1', () => {
    const two = { keepGoing: true, seeds: 2 } as const;
    const t2 = [
      rec(two, 'p', 8, [8, 4]),
      rec(two, 'q', 8, [8, 8]),
      rec({ ...two, share: 'm', group: 2 }, 'p', 8, [8, 0]),
      rec({ ...two, share: 'm', group: 2 }, 'q', 8, [4, 4]),
      rec({ ...two, share: 'e', group: 2 }, 'p', 8, [2, 2]),
      rec({ ...two, share: 'e', group: 2 }, 'q', 8, [2, 2]),
    ];
    const t = sharingTable(summarise(t2), 'text').split('\n');
    expect(t[0]).toMatch(/^pg19, N = 8, 2 seeds, 300 steps/);
    expect(t.splice(1, 1)).toEqual(['']);
    expect(t[1]).toMatch(/^shared\s+agg\s+S_g = 1\s+S_g = 2$/);
    expect(t[3]).toMatch(/^e\s+max\s+1\.00 ± 0\.00 \(2\)\s+0\.25 ± 0\.00 \(2\)$/);
    expect(t[4]).toMatch(/^e\s+avg\s+0\.88 ± 0\.13 \(2\)\s+0\.25 ± 0\.00 \(2\)$/);
    expect(t[5]).toMatch(/^m\s+max\s+1\.00 ± 0\.00 \(2\)\s+0\.75 ± 0\.25 \(2\)$/);
    expect(t[6]).toMatch(/^m\s+avg\s+0\.88 ± 0\.13 \(2\)\s+0\.50 ± 0\.00 \(2\)$/);
    expect(reportText(summarise(t2), 'markdown')).toMatch(/### Accuracy with a shared proto-token \(Table 2 style\)/);
    const sharing = reportPlots(summarise(t2)).sharing;
    expect(sharing).toMatch(/group size S_g/);
    expect((sharing.match(/<path /g) ?? []).length).toBe(4); // e/m x max/avg
    expect(sharing).toContain('<title>shared m, avg over seeds, S_g = 2: 0.500');
    expect(sharing).not.toMatch(/NaN|undefined/);
  });

  it('Table 2 plot: another text set (source) gets its own curves, its S_g = 1 point from its own unshared run', () => {
    const two = { keepGoing: true, seeds: 2 } as const;
    const big = { ...two, source: 'excerpts' };
    const t2 = [
      rec(two, 'p', 8, [8, 8]),
      rec({ ...two, share: 'm', group: 2 }, 'p', 8, [4, 4]),
      rec(big, 'x', 8, [6, 6]),
      rec({ ...big, share: 'm', group: 4 }, 'x', 8, [2, 2]),
    ];
    const sharing = reportPlots(summarise(t2)).sharing;
    expect((sharing.match(/<path /g) ?? []).length).toBe(4); // 2 sources x max/avg, shared m only
    expect(sharing).toContain('<title>shared m, max over seeds, pg19, S_g = 1: 1.000');
    expect(sharing).toContain('<title>shared m, max over seeds, excerpts, S_g = 1: 0.750');
    expect(sharing).toContain('<title>shared m, max over seeds, excerpts, S_g = 4: 0.250');
    expect(sharing).not.toContain('pg19, S_g = 4');
    const t = sharingTable(summarise(t2), 'text');
    expect(t).toMatch(/^pg19, N = 8/m);
    expect(t).toMatch(/^excerpts, N = 8/m);
  });

  it('Table 3: both methods side by side, the memory baseline as its own column on the same sources', () => {
    const mem = { method: 'memory', memoryTokens: 1 } as const;
    const both = [
      rec({}, 'a', 4, pass(4)),
      rec({}, 'a', 5, fail(5)),
      rec(mem, 'a', 4, fail(4)),
      rec({ source: 'random' }, 'd', 4, pass(4)),
      rec({ source: 'random' }, 'd', 5, fail(5)),
      rec({ ...mem, source: 'random' }, 'd', 4, pass(4)),
      rec({ ...mem, source: 'random' }, 'd', 5, fail(5)),
    ];
    const md = capacityTable(summarise(both), 'markdown').split('\n');
    expect(md[0]).toBe('| source | measure | oneshot not shared | memory not shared |');
    expect(md).toContain('|  | C_tokens max | 4 | 0 |');
    expect(md).toContain('| random | texts | 1 | 1 |');
    const plots = reportPlots(summarise(both));
    expect(plots.capacity).toContain('memory not shared');
    expect(reportText(summarise(both), 'text')).toMatch(/: memory not shared, pg19, K = 1 memory vector, 1 text/);
  });

  it('SVG plots: per-text dots, a mean per source and series, axes with units, a legend', () => {
    const plots = reportPlots(summarise([...records, ...table1]));
    expect(Object.keys(plots).sort()).toEqual(['accuracy', 'capacity', 'hlm']);
    const cap = plots.capacity;
    // 6 texts (3 + 2 + 1), means: pg19 x 2 series + random x 1, legend: 2 series.
    expect((cap.match(/<circle /g) ?? []).length).toBe(6 + 3 + 2);
    expect(cap).toMatch(/longest prefix reconstructed, tokens \(log scale\)/);
    expect(cap).toMatch(/>pg19<\/text>/);
    expect(cap).toMatch(/>random<\/text>/);
    expect(cap).toMatch(/<title>pg19, oneshot not shared: mean 4 over 3 texts<\/title>/);
    for (const tick of ['>4<', '>8<', '>16<']) expect(cap).toContain(tick); // log2 ticks
    expect(plots.hlm).toMatch(/H_LM of the longest reconstructed prefix \(nats\)/);
    expect(plots.accuracy).toMatch(/text length N \(tokens, log scale\)/);
    expect((plots.accuracy.match(/<path /g) ?? []).length).toBe(2); // one line per arrangement
    for (const svg of Object.values(plots)) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined/);
      // Balanced tags (a cheap well-formedness check; no DOM here).
      const open = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
      const close = (svg.match(/<\/[a-z]+>/g) ?? []).length;
      expect(open).toBe(close);
    }
  });
});
