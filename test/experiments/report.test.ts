import { describe, it, expect } from 'vitest';
import { parseRecords, recordOfLine, sweepId, type SweepKey, type SweepRecord } from '../../src/experiments/records.ts';
import { summarise, capacityTable, layoutTable, sharingTable, reportJson, reportText, stat, attemptSteps, progressiveTable, capacityWithin } from '../../src/experiments/report.ts';
import { float32ToBase64 } from '../../src/util/base64.ts';
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

  describe('progressive sweeps (issue 19)', () => {
    const prog = { init: 'progressive' } as const;
    const vec = (d = 4) => ({ e: float32ToBase64(new Float32Array(d).fill(0.5)), m: float32ToBase64(new Float32Array(d).fill(-1)) });
    const warm = (text: string, length: number, correct: number[], from?: number) => ({
      ...rec(prog, text, length, correct),
      vectors: correct.map(() => vec()),
      ...(from ? { from, startCorrect: correct.map(() => from) } : {}),
    });
    const steps = (r: SweepRecord, s: number[], run: number) => ({ ...r, steps: s, stepsRun: run });
    const mixed = [
      // From scratch: a passes 4 and 5, fails 8 (capacity 5); b fails at 4.
      steps(rec({ init: 'normal' }, 'a', 4, pass(4)), [40, 90], 50),
      steps(rec({ init: 'normal' }, 'a', 5, pass(5)), [120, 300], 130),
      steps(rec({ init: 'normal' }, 'a', 8, fail(8)), [300, 300], 300),
      steps(rec({}, 'b', 4, fail(4)), [300, 300], 300), // a record from before init existed: from scratch
      // Progressive: a reaches 8, then fails at 11; b reaches 4.
      steps(warm('a', 4, pass(4)), [40, 90], 50),
      steps(warm('a', 5, pass(5), 4), [10, 20], 20),
      steps(warm('a', 8, [8, 5], 5), [60, 300], 70),
      steps(warm('a', 11, fail(11), 8), [300, 300], 300),
      steps(warm('b', 4, pass(4)), [10, 200], 210),
      steps(warm('b', 5, fail(5), 4), [300, 300], 300),
    ];

    it('a text spends, per length, the steps until its first seed had every token right, else the whole attempt', () => {
      expect(mixed.map(attemptSteps)).toEqual([40, 120, 300, 300, 40, 10, 60, 300, 10, 300]);
      expect(attemptSteps({ ...mixed[0], stop: 'all-seeds' })).toBe(50); // one seed never solved: the whole attempt
      expect(attemptSteps({ ...mixed[0], correct: [4, 4], stop: 'all-seeds' })).toBe(90);
      const [scratch, progressive] = summarise(mixed);
      expect(scratch.texts.map((t) => [t.text, t.capacity, t.steps])).toEqual([['a', 5, 460], ['b', 0, 300]]);
      expect(progressive.texts.map((t) => [t.text, t.capacity, t.steps])).toEqual([['a', 8, 410], ['b', 4, 310]]);
      // At the same total budget: a's lengths cost 40, 120 (from scratch) and 40, 10, 60 (progressive).
      expect([39, 40, 159, 160, 10_000].map((T) => capacityWithin(scratch, 'a', T))).toEqual([0, 4, 4, 5, 5]);
      expect([39, 40, 49, 50, 109, 110, 10_000].map((T) => capacityWithin(progressive, 'a', T))).toEqual([0, 4, 4, 5, 5, 8, 8]);
      expect(capacityWithin(scratch, 'b', 10_000)).toBe(0);
    });

    it('the report shows both capacities side by side, per text and over texts, with the steps spent', () => {
      const sums = summarise(mixed);
      const cap = capacityTable(sums, 'markdown').split('\n');
      expect(cap[0]).toBe('| source | measure | oneshot not shared, from scratch | oneshot not shared, progressive |');
      expect(cap).toContain('|  | C_tokens max | 5 | 8 |');
      expect(cap).toContain('|  | steps spent | 380 ± 80 | 360 ± 50 |');
      const t = progressiveTable(sums, 'markdown').split('\n');
      expect(t[0]).toBe('| source | text | seed base | capacity from scratch | capacity progressive | steps from scratch | steps progressive |');
      expect(t).toContain('| pg19 | a | 0 | 5 | 8 | 460 | 410 |');
      expect(t).toContain('| pg19 | b | 0 | 0 | 4 | 300 | 310 |');
      expect(t).toContain('| pg19 | mean ± std (2) |  | 2.5 ± 2.5 | 6.0 ± 2.0 | 380 ± 80 | 360 ± 50 |');
      expect(t).toContain('| pg19 | median |  | 2.5 | 6 | 380 | 360 |');
      expect(t).toContain('| pg19 | min–max |  | 0–5 | 4–8 | 300–460 | 310–410 |');
      expect(reportText(sums, 'markdown')).toMatch(/### Progressive against from scratch \(issue 19\)/);
      expect(reportText(sums, 'text')).toMatch(/: oneshot not shared, progressive, pg19,/);
      const j = reportJson(sums) as { progressive: { texts: { text: string; scratch: { capacity: number }; progressive: { capacity: number } }[] }[]; sweeps: { init: string }[] };
      expect(j.sweeps.map((s) => s.init)).toEqual(['normal', 'progressive']);
      expect(j.progressive[0].texts.map((x) => [x.text, x.scratch.capacity, x.progressive.capacity])).toEqual([['a', 5, 8], ['b', 0, 4]]);
      // Without a from-scratch twin (another budget) there is no pair, and no table.
      const alone = mixed.slice(4).map((r) => ({ ...r, settings: { ...r.settings, maxSteps: 999 } }));
      expect(progressiveTable(summarise([...mixed.slice(0, 4), ...alone]), 'text')).toBe('');
      // A file of progressive sweeps alone still says so in its column.
      expect(capacityTable(summarise(mixed.slice(4)), 'text').split('\n')[0]).toMatch(/oneshot not shared, progressive$/);
    });

    it('the reader checks the new fields: init, one pair of equal-width vectors per seed, from, startCorrect', () => {
      const ok = mixed[6];
      const line = (r: object) => JSON.stringify(r);
      expect(recordOfLine(line(ok))).not.toBeNull();
      expect(recordOfLine(line(mixed[0]))).not.toBeNull();
      const bad: object[] = [
        { ...ok, init: 'encoder-ish' },
        { ...ok, vectors: undefined },
        { ...ok, vectors: [vec()] }, // 2 seeds, 1 pair
        { ...ok, vectors: [vec(), { e: vec().e, m: float32ToBase64(new Float32Array(3)) }] },
        { ...ok, vectors: [vec(), vec(8)] },
        { ...ok, vectors: [vec(), { e: 'not base64!', m: vec().m }] },
        { ...ok, vectors: [vec(), { e: 'AAA', m: vec().m }] },
        { ...ok, vectors: [vec(), { e: float32ToBase64(Float32Array.of(1, 2, NaN, 4)), m: vec().m }] },
        { ...ok, from: 8 },
        { ...ok, from: 0 },
        { ...ok, startCorrect: [9, 1] },
        { ...ok, startCorrect: [1] },
      ];
      for (const b of bad) expect(recordOfLine(line(b)), line(b).slice(0, 0)).toBeNull();
      expect(parseRecords(bad.map(line).join('\n')).skipped).toBe(bad.length);
    });
  });
});

