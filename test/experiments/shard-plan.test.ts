import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseShard, shardTexts } from '../../src/experiments/shard.ts';
import { planSweep, sweepWorkList, type PlanOptions } from '../../src/experiments/jobs/sweep-plan.ts';
import { parseStepTimes, stepFlops, stepTimeAt } from '../../src/experiments/step-cost.ts';
import { mergeResults } from '../../src/experiments/merge.ts';
import { parseConfig } from '../../src/model/config.ts';
import { LLAMA_32_1B_CONFIG, PYTHIA_160M_CONFIG } from '../../src/model/shapes.ts';
import { expandPattern } from '../../src/cli/globs.ts';
import type { SweepRecord } from '../../src/experiments/records.ts';

describe('sharding a sweep', () => {
  it('reads I/N as schedulers write it, and refuses what is not a shard with the reason', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3/4 ')).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/shard 4 does not exist among 4 \(I runs from 0 to 3; Slurm's SLURM_ARRAY_TASK_ID must start at 0\)/);
    expect(() => parseShard('1/0')).toThrow(/number of shards must be from 1/);
    expect(() => parseShard('a/4')).toThrow(/must be I\/N, e\.g\. 0\/4/);
    expect(() => parseShard('1')).toThrow(/must be I\/N/);
  });

  it('N shards cover every text exactly once, whole sharing groups together, round robin', () => {
    for (const [K, group, N] of [[50, 1, 4], [50, 4, 4], [10, 16, 3], [7, 1, 8], [64, 16, 4], [1, 1, 1]]) {
      const all = Array.from({ length: N }, (_, i) => shardTexts(K, group, { index: i, count: N }));
      expect(all.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: K }, (_, i) => i));
      // A group never straddles two shards.
      for (const part of all) for (const t of part) expect(part).toEqual(expect.arrayContaining(Array.from({ length: Math.min(group, K - Math.floor(t / group) * group) }, (_, k) => Math.floor(t / group) * group + k)));
    }
    expect(shardTexts(6, 1, { index: 1, count: 4 })).toEqual([1, 5]);
    expect(shardTexts(8, 2, { index: 0, count: 2 })).toEqual([0, 1, 4, 5]);
    expect(shardTexts(5, 1)).toEqual([0, 1, 2, 3, 4]);
    // More shards than parts: the extra shards get nothing (and finish at once).
    expect(shardTexts(2, 1, { index: 3, count: 4 })).toEqual([]);
  });
});

describe('the plan of a sweep', () => {
  const ladder = [4, 5, 8, 11, 16];
  const texts = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, lengths: i === 4 ? [4, 5] : ladder }));
  const base: PlanOptions = { texts, seeds: 2, group: 1, pack: 1, maxSteps: 100, keepGoing: false, shards: 1 };

  it('lists every text x length batch with its sequences and budget; shards split the same list', () => {
    const one = sweepWorkList(base);
    expect(one).toHaveLength(4 * 5 + 2);
    expect(one[0]).toEqual({ shard: 0, unit: 0, texts: ['t0'], length: 4, sequences: 2, steps: 100 });
    const four = sweepWorkList({ ...base, shards: 4 });
    const key = (w: { texts: string[]; length: number }) => `${w.texts.join('+')}@${w.length}`;
    expect(four.map(key).sort()).toEqual(one.map(key).sort());
    expect(four.filter((w) => w.shard === 0).map((w) => w.texts[0])).toEqual(['t0', 't0', 't0', 't0', 't0', 't4', 't4']);
    // Packed texts and shared groups train as batches; a text that offers fewer lengths leaves its batch.
    const packed = sweepWorkList({ ...base, pack: 5 });
    expect(packed.map((w) => [w.length, w.sequences])).toEqual([[4, 10], [5, 10], [8, 8], [11, 8], [16, 8]]);
    const shared = sweepWorkList({ ...base, group: 2, shards: 2 });
    expect(shared.filter((w) => w.shard === 1).map((w) => w.texts)).toEqual(ladder.map(() => ['t2', 't3']));
  });

  it('an expected capacity stops each text at its first length above it; fixed lengths never stop', () => {
    expect(sweepWorkList({ ...base, expectCapacity: 5 }).filter((w) => w.texts[0] === 't0').map((w) => w.length)).toEqual([4, 5, 8]);
    expect(sweepWorkList({ ...base, expectCapacity: 5, keepGoing: true }).filter((w) => w.texts[0] === 't0').map((w) => w.length)).toEqual(ladder);
  });

  it('GPU-hours are steps x step time, a partial batch scaled by its sequences, summed per length and per shard', () => {
    const p = planSweep({ ...base, pack: 5, shards: 1 }, { points: [{ N: 4, ms: 10 }, { N: 16, ms: 40 }], known: 'given', batchSequences: 10 });
    expect(p.byLength.map((l) => [l.length, l.msPerStep, l.how])).toEqual([[4, 10, 'given'], [5, 12.5, 'interpolated'], [8, 20, 'interpolated'], [11, 27.5, 'interpolated'], [16, 40, 'given']]);
    // N = 8: 8 of 10 sequences, 100 steps at 20 ms x 0.8.
    expect(p.items.find((i) => i.length === 8)!.gpuHours).toBeCloseTo((100 * 16) / 3.6e6, 6);
    expect(p.total.steps).toBe(500);
    expect(p.total.gpuHours).toBeCloseTo((100 * (10 + 12.5 + 16 + 22 + 32)) / 3.6e6, 4);
    const sharded = planSweep({ ...base, shards: 2 }, { points: [{ N: 0, ms: 5 }], known: 'given', batchSequences: 2 });
    expect(sharded.perShard.map((s) => s.texts)).toEqual([3, 2]);
    expect(sharded.perShard.reduce((n, s) => n + s.steps, 0)).toBe(sharded.total.steps);
  });

  it('step times: given, interpolated, extrapolated in proportion to N, and what the flag accepts', () => {
    const pts = [{ N: 32, ms: 10 }, { N: 64, ms: 14 }];
    expect(stepTimeAt(pts, 48, 'measured')).toEqual({ ms: 12, how: 'interpolated' });
    expect(stepTimeAt(pts, 128, 'measured')).toEqual({ ms: 28, how: 'extrapolated' });
    expect(stepTimeAt(pts, 16, 'measured')).toEqual({ ms: 5, how: 'extrapolated' });
    expect(stepTimeAt(pts, 64, 'measured')).toEqual({ ms: 14, how: 'measured' });
    expect(parseStepTimes('12.5')).toEqual([{ N: 0, ms: 12.5 }]);
    expect(parseStepTimes('32:11, 256:87')).toEqual([{ N: 32, ms: 11 }, { N: 256, ms: 87 }]);
    expect(parseStepTimes('32:11,32:12')).toMatch(/gives length 32 twice/);
    expect(parseStepTimes('fast')).toMatch(/must be milliseconds per step/);
    expect(parseStepTimes('32:-1')).toMatch(/"32:-1" is not one/);
  });

  it("a step's FLOPs follow the published parameter counts (Llama-3.2-1B 1.24 B, Pythia-160M 162 M)", () => {
    // At N = 1 attention is one product per layer; forward + backward to the inputs are 2 x 2 flops per weight.
    const llama = parseConfig(LLAMA_32_1B_CONFIG);
    expect(stepFlops(llama, 1, 1) / 4).toBeGreaterThan(1.23e9);
    expect(stepFlops(llama, 1, 1) / 4).toBeLessThan(1.24e9);
    const pythia = parseConfig(PYTHIA_160M_CONFIG);
    // 162 M parameters, of which the input embedding (38.6 M) is a lookup, not a product.
    expect(stepFlops(pythia, 1, 1) / 4).toBeCloseTo(162.3e6 - 38.6e6, -6);
    expect(stepFlops(llama, 256, 10)).toBeCloseTo(10 * stepFlops(llama, 256, 1), -3);
    // Attention grows as N²: doubling N more than doubles a step.
    expect(stepFlops(llama, 2048, 1)).toBeGreaterThan(2 * stepFlops(llama, 1024, 1));
  });
});

const rec = (sweep: string, text: string, length: number, extra: Partial<SweepRecord> = {}): SweepRecord =>
  ({ sweep, text, length, attempt: `${sweep}-${text}-${length}`, model: 'm', modelFingerprint: 'fp1', source: 'pg19', settings: { maxSteps: 100 }, ...extra }) as unknown as SweepRecord;

describe('merging results files', () => {
  it('counts a text and length once when files repeat it, and says which shards are in', () => {
    const a = [rec('s1', 'a', 4, { shard: '0/2' }), rec('s1', 'a', 5, { shard: '0/2' })];
    const b = [rec('s1', 'b', 4, { shard: '1/3' })];
    const m = mergeResults([{ file: 'a', records: a }, { file: 'b', records: b }, { file: 'a copy', records: a }]);
    expect(m.records.map((r) => `${r.text}${r.length}`)).toEqual(['a4', 'a5', 'b4']);
    expect(m.duplicates).toBe(2);
    expect([...m.shards.entries()].map(([n, s]) => [n, [...s]])).toEqual([[2, [0]], [3, [1]]]);
  });

  it('refuses files of another model, or of sweeps that do not nest, with the settings that differ', () => {
    const one = { file: 'x.jsonl', records: [rec('s1', 'a', 4)] };
    expect(() => mergeResults([one, { file: 'y.jsonl', records: [rec('s1', 'b', 4, { modelFingerprint: 'fp2', model: 'other' })] }])).toThrow(/^x\.jsonl holds results of m \(weights fp1\) and y\.jsonl of other \(weights fp2\); report one model's files at a time\.$/);
    const other = { file: 'z.jsonl', records: [rec('s2', 'b', 4, { source: 'random', settings: { maxSteps: 300 } } as Partial<SweepRecord>)] };
    expect(() => mergeResults([one, other])).toThrow(/^x\.jsonl and z\.jsonl are not shards of one sweep \(sweep s1 \/ s2: source "pg19" \/ "random", maxSteps 100 \/ 300\); give the files of one sweep/);
    // A shard still on its first of two sweeps holds fewer sweeps, never others: merged.
    const both = { file: 'w.jsonl', records: [rec('s1', 'c', 4), rec('s2', 'c', 4)] };
    expect(mergeResults([one, both]).records).toHaveLength(3);
    // One file may hold several sweeps, as before.
    expect(mergeResults([{ file: 'v', records: [...one.records, ...other.records] }]).records).toHaveLength(2);
  });
});

describe('file patterns', () => {
  it('expands *, ? and [..] itself (quoted patterns from a scheduler), numbers in order, dot files only by a dot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'protolab-glob-'));
    mkdirSync(join(dir, 'run-a'));
    mkdirSync(join(dir, 'run-b'));
    for (const f of ['shard-0.jsonl', 'shard-2.jsonl', 'shard-10.jsonl', '.shard-9.jsonl', 'notes.txt']) writeFileSync(join(dir, 'run-a', f), '');
    writeFileSync(join(dir, 'run-b', 'shard-1.jsonl'), '');
    expect(expandPattern(join(dir, 'run-a', 'shard-*.jsonl'))).toEqual(['shard-0', 'shard-2', 'shard-10'].map((s) => join(dir, 'run-a', `${s}.jsonl`)));
    expect(expandPattern(join(dir, 'run-?', 'shard-[01].jsonl'))).toEqual([join(dir, 'run-a', 'shard-0.jsonl'), join(dir, 'run-b', 'shard-1.jsonl')]);
    expect(expandPattern(join(dir, 'run-a', '*.csv'))).toEqual([]);
    expect(expandPattern('plain.jsonl')).toEqual(['plain.jsonl']);
  });
});
