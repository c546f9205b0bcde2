import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protolab, protolabAsync, errorLine } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { parseRecords, type SweepRecord } from '../../src/experiments/records.ts';

// Issue 20 §5: a sharded sweep simulated as a Kubernetes Indexed Job would run it: N processes of
// the same command with --shard I/N, one killed mid-way and started again (a retried pod), one
// run twice after it finished; the merged report must equal one unsharded run's.

const N = 4;
// 5 texts over 4 shards: shard 0 gets two (texts 0 and 4), the others one each. 150 steps give
// capacities of 4, 5 and 8 on these texts, so the ladder stops at different rungs.
const SWEEP = ['sweep', '--model', STORIES, '--source', 'random', '--texts', '5', '--seeds', '1', '--steps', '150', '--report-every', '10', '--max-length', '8'];
const read = (f: string) => parseRecords(readFileSync(f, 'utf8')).records;
/** A record without what differs between runs of the same work: its timing, its attempt id and which shard ran it. */
const outcome = ({ seconds: _s, date: _d, attempt: _a, shard: _sh, ...rest }: SweepRecord) => rest;
const byTextLength = (a: SweepRecord, b: SweepRecord) => a.text.localeCompare(b.text) || a.length - b.length;

/** The report's JSON without what is not a result: timing, the files read, the plots written. */
function results(json: string): unknown {
  const { plots: _p, files: _f, shards: _s, duplicates: _d, skipped: _k, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return { ...rest, sweeps: (rest.sweeps as Record<string, unknown>[]).map(({ sweepSeconds: _t, ...s }) => s) };
}

describe('a sweep sharded over N worker processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-shards-'));
  const shardFile = (i: number) => join(dir, `shard-${i}.jsonl`);

  it('covers the sweep once: a killed shard resumes, a rerun duplicates nothing, and the merged report equals an unsharded run', async () => {
    const whole = join(dir, 'whole.jsonl');
    const shards = [0, 1, 2, 3].map((i) => protolabAsync([...SWEEP, '--shard', `${i}/${N}`, '--out', shardFile(i)], i === 0 ? { killAfterFirstLineIn: shardFile(0) } : {}));
    const [unsharded, ...done] = await Promise.all([protolabAsync([...SWEEP, '--out', whole]), ...shards]);
    expect(unsharded.code, unsharded.stderr).toBe(0);
    expect(done[0].signal).toBe('SIGKILL');
    for (const r of done.slice(1)) expect(r.code, r.stderr).toBe(0);
    const cut = read(shardFile(0)).length;
    expect(cut).toBeGreaterThanOrEqual(1);

    // The retried pod: the same command continues where the killed one stopped.
    const retried = await protolabAsync([...SWEEP, '--shard', `0/${N}`, '--out', shardFile(0), '--json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout).reused).toBe(cut);
    expect(JSON.parse(retried.stdout).ran).toBeGreaterThan(0);
    // A shard run again after it finished runs nothing and writes nothing.
    const before = readFileSync(shardFile(2), 'utf8');
    const again = await protolabAsync([...SWEEP, '--shard', `2/${N}`, '--out', shardFile(2), '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).ran).toBe(0);
    expect(readFileSync(shardFile(2), 'utf8')).toBe(before);

    // Every text in exactly one shard, round robin; the same records as the unsharded run, apart from timing.
    const perShard = [0, 1, 2, 3].map((i) => read(shardFile(i)));
    expect(perShard.map((rs) => [...new Set(rs.map((r) => r.text))])).toEqual([['random/0/0', 'random/0/4'], ['random/0/1'], ['random/0/2'], ['random/0/3']]);
    expect(perShard.every((rs, i) => rs.every((r) => r.shard === `${i}/${N}`))).toBe(true);
    const merged = perShard.flat().sort(byTextLength);
    const one = read(whole).sort(byTextLength);
    expect(merged.map(outcome)).toEqual(one.map(outcome));
    expect(new Set(one.map((r) => r.length)).size).toBeGreaterThan(1);

    // The merged report: the same tables and the same --json capacity map as the unsharded file's.
    const reportMerged = protolab(['report', join(dir, 'shard-*.jsonl'), '--json', '--no-plots']);
    expect(reportMerged.code, reportMerged.stderr).toBe(0);
    const reportOne = protolab(['report', whole, '--json', '--no-plots']);
    expect(results(reportMerged.stdout)).toEqual(results(reportOne.stdout));
    expect(JSON.parse(reportMerged.stdout).shards).toEqual([{ count: 4, present: [0, 1, 2, 3], missing: [] }]);
    const tables = (s: string) => s.slice(0, s.indexOf('Sweeps'));
    const text = protolab(['report', join(dir, 'shard-*.jsonl'), '--markdown', '--no-plots']).stdout;
    expect(tables(text)).toBe(tables(protolab(['report', whole, '--markdown', '--no-plots']).stdout));
    expect(text).toMatch(/Merged 4 files \(shards 0-3 of 4\)\./);

    // The plan of the same command names the same work: each shard's texts, every length they reached at most.
    const plan = protolab([...SWEEP, '--plan', '--shard', `0/${N}`, '--ms-per-step', '10', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const items = JSON.parse(plan.stdout).items as { shard: number; texts: string[]; length: number }[];
    expect(protolab([...SWEEP, '--plan', '--shard', `0/${N}`, '--ms-per-step', '10']).stdout).toMatch(/^Shard 0\/4 runs 2 texts: random\/0\/0, random\/0\/4\.$/m);
    for (const r of merged) expect(items.some((w) => w.shard === Number(r.shard!.split('/')[0]) && w.texts.includes(r.text) && w.length === r.length), `${r.text} at ${r.length}`).toBe(true);
  });

  it('merging counts a copied file once, says which shards are missing, and refuses files of another sweep or model in one line', () => {
    copyFileSync(shardFile(1), join(dir, 'copy-of-1.jsonl'));
    const dup = JSON.parse(protolab(['report', join(dir, 'shard-*.jsonl'), join(dir, 'copy-of-1.jsonl'), join(dir, 'shard-1.jsonl'), '--json', '--no-plots']).stdout);
    expect(dup.duplicates).toBe(read(shardFile(1)).length);
    expect(Object.keys(dup.capacity)).toHaveLength(5);
    const partial = protolab(['report', shardFile(0), shardFile(3), '--no-plots']).stdout;
    expect(partial).toMatch(/Merged 2 files \(shards 0, 3 of 4 \(missing: 1, 2; run them, or they are still running\)\)\./);

    const edited = (f: string, change: (r: SweepRecord) => SweepRecord) => {
      const out = join(dir, `edited-${Math.random().toString(36).slice(2)}.jsonl`);
      writeFileSync(out, read(f).map((r) => JSON.stringify(change(r))).join('\n') + '\n');
      return out;
    };
    const otherSweep = edited(shardFile(1), (r) => ({ ...r, sweep: 'feedbeef', settings: { ...r.settings, maxSteps: 300 } }));
    const a = protolab(['report', shardFile(0), otherSweep, '--no-plots']);
    expect(a.code).toBe(2);
    expect(errorLine(a)).toMatch(/^protolab: report: .*shard-0\.jsonl and .*edited-.*\.jsonl are not shards of one sweep \(sweep [0-9a-f]{8} \/ feedbeef: maxSteps 150 \/ 300\); give the files of one sweep, e\.g\. results\/shard-\*\.jsonl\.$/);
    const otherModel = edited(shardFile(1), (r) => ({ ...r, model: 'pythia-160m', modelFingerprint: '0123456789abcdef0123' }));
    expect(errorLine(protolab(['report', shardFile(0), otherModel, '--no-plots']))).toMatch(/holds results of stories260k \(weights .*\) and .* of pythia-160m \(weights 0123456789ab\); report one model's files at a time\.$/);
    expect(errorLine(protolab(['report', join(dir, 'nothing-*.jsonl')]))).toMatch(/^protolab: report: no file matches .*nothing-\*\.jsonl\.$/);
  });

  it('refuses a wrong shard or plan flag with one line, before any work', () => {
    const cases: [string[], RegExp][] = [
      [[...SWEEP, '--shard', '4/4'], /--shard: shard 4 does not exist among 4/],
      [[...SWEEP, '--shard', 'last'], /--shard: the shard must be I\/N/],
      [[...SWEEP, '--ms-per-step', '10'], /--ms-per-step is a setting of --plan/],
      [[...SWEEP, '--plan', '--ms-per-step', 'fast'], /--ms-per-step must be milliseconds per step/],
      [[...SWEEP, '--plan', '--ms-per-step', '10', '--tflops', '20'], /Give --ms-per-step or --tflops, not both/],
      [['sweep', '--shape', 'pythia-160m', '--source', 'pg19', '--texts', '2', '--seeds', '1', '--plan'], /--shape loads no weights, so no step can be timed: give --ms-per-step/],
      [[...SWEEP, '--plan', '--ms-per-step', '10', '--expect-capacity', '8', '--keep-going'], /--expect-capacity is for capacity sweeps/],
    ];
    for (const [args, want] of cases) {
      const r = protolab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLine(r), args.join(' ')).toMatch(want);
    }
  });

  it("plans the paper's scale from a shape: the ladder to 1448 tokens, FLOPs at an assumed rate, split over the shards", () => {
    const r = protolab(['sweep', '--shape', 'llama-3.2-1b', '--source', 'pg19', '--texts', '50', '--seeds', '10', '--plan', '--tflops', '20', '--shard', '0/16', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.byLength.map((l: { length: number }) => l.length)).toEqual([4, 5, 8, 11, 16, 22, 32, 45, 64, 90, 128, 181, 256, 362, 512, 724, 1024, 1448]);
    expect(p.total.steps).toBe(50 * 18 * 5000);
    expect(p.perShard).toHaveLength(16);
    expect(p.stepTime).toEqual({ how: 'flops', tflops: 20 });
    expect(p.tokenized).toBe(false);
    const text = protolab(['sweep', '--shape', 'llama-3.2-1b', '--source', 'pg19', '--texts', '50', '--seeds', '10', '--plan', '--tflops', '20', '--expect-capacity', '362']).stdout;
    expect(text).toMatch(/at an assumed 20 TFLOP\/s \(--tflops\): an assumption, not a measurement/);
    expect(text).toMatch(/every text assumed to fail at its first length above 362/);
    expect(text).toMatch(/^512 /m);
    expect(text).not.toMatch(/^724 /m);
  });
});
