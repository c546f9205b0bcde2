import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { jsonlStore, lockResultsFile, LOCK_HEARTBEAT_MS, LOCK_STALE_MS, resultsFileProblem } from '../../src/experiments/node/jsonl-store.ts';
import type { SweepRecord } from '../../src/experiments/records.ts';
import { errorLine, protolab } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { fakeRecord } from '../helpers/records.ts';

// Issue 18, outputs that destroy or lose work: every output is checked before the work that fills
// it, a file the lab did not write is never overwritten or appended to, and the resume cut of a
// results file is made in bytes.
const work = mkdtempSync(join(tmpdir(), 'protolab-outputs-'));
afterAll(() => {
  for (const f of readdirSync(work)) if (f.endsWith('.lock')) throw new Error(`a lock was left behind: ${f}`);
});
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const IDS = ['--ids', '403,407,261,378'];

describe('compress --out', () => {
  it('a missing folder is refused before the model loads or anything trains, and nothing is written', () => {
    const out = join(work, 'no-such-folder', 'sol.safetensors');
    const r = protolab(['compress', '--model', STORIES, ...IDS, '--steps', '100000', '--out', out]);
    expect(r.code).toBe(2);
    expect(errorLine(r)).toBe(`protolab: --out: the folder ${join(work, 'no-such-folder')} does not exist; create it first, or give another path.`);
    expect(existsSync(out)).toBe(false);
  });

  it("a model's own weights (any file that is not a solution of this lab) are never overwritten, even with --force", () => {
    const weights = join(work, 'model.safetensors');
    copyFileSync(join(STORIES, 'model.safetensors'), weights);
    const before = sha(weights);
    for (const force of [[], ['--force']]) {
      const r = protolab(['compress', '--model', STORIES, ...IDS, '--steps', '2', '--out', weights, ...force]);
      expect(r.code).toBe(2);
      expect(errorLine(r)).toBe(`protolab: --out: ${weights} exists and is not a solution file of this lab; it is left untouched: give another name.`);
    }
    expect(sha(weights)).toBe(before);
  });

  it('an existing solution is replaced only with --force, through a temporary file', () => {
    const out = join(work, 'sol.safetensors');
    const first = protolab(['compress', '--model', STORIES, ...IDS, '--steps', '2', '--seed', '1', '--out', out, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const before = sha(out);
    const refused = protolab(['compress', '--model', STORIES, ...IDS, '--steps', '2', '--seed', '2', '--out', out]);
    expect(refused.code).toBe(2);
    expect(errorLine(refused)).toBe(`protolab: --out: ${out} already holds a solution; add --force to replace it, or give another name.`);
    expect(sha(out)).toBe(before);
    const forced = protolab(['compress', '--model', STORIES, ...IDS, '--steps', '2', '--seed', '2', '--out', out, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(sha(out)).not.toBe(before);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a run that is not finite', () => {
  it('is an error naming the step, exit 1, and nothing is saved (it printed "loss 0.0000" and saved zero vectors)', () => {
    // stories260k with a final-norm weight that is finite but so large that every logit overflows.
    const model = join(work, 'overflowing-model');
    mkdirSync(model);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(STORIES, f), join(model, f));
    const bytes = readFileSync(join(STORIES, 'model.safetensors'));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
    for (let i = 0; i < 64; i++) bytes.writeFloatLE(3e38, 8 + n + header['model.norm.weight'].data_offsets[0] + 4 * i);
    writeFileSync(join(model, 'model.safetensors'), bytes);
    const out = join(work, 'never.safetensors');
    const r = protolab(['compress', '--model', model, ...IDS, '--steps', '20', '--out', out]);
    expect(r.code).toBe(1);
    expect(errorLine(r)).toBe('protolab: The loss became non-finite by step 10 (it was never finite); nothing was saved. Try a smaller --lr (now 0.01), or check the model\'s weights.');
    expect(existsSync(out)).toBe(false);
  });
});

const record = (i: number, text = `t${i}`): SweepRecord => fakeRecord({ attempt: `a${i}`, text, length: 4 + i });
const lines = (rs: SweepRecord[]) => rs.map((r) => JSON.stringify(r) + '\n').join('');

describe('sweep --out and the results file', () => {
  it('a file that is not a results file is refused untouched, by the command line before the model loads and by the store', () => {
    const weights = join(work, 'copy.safetensors');
    copyFileSync(join(STORIES, 'model.safetensors'), weights);
    const before = sha(weights);
    const r = protolab(['sweep', '--model', STORIES, '--source', 'random', '--texts', '1', '--seeds', '1', '--out', weights]);
    expect(r.code).toBe(2);
    expect(errorLine(r)).toMatch(/^protolab: --out: .*copy\.safetensors is not a results file of this lab \(line 1 is not a sweep record\) and is left untouched; give another --out\.$/u);
    expect(() => jsonlStore(weights).load()).toThrow(/is not a results file of this lab/);
    expect(sha(weights)).toBe(before);
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'my notes, no newline at the end');
    expect(resultsFileProblem(text)).toMatch(/its last line is not a sweep record/);
    expect(readFileSync(text, 'utf8')).toBe('my notes, no newline at the end');
  });

  it('the cut of a partial last line is made in bytes: an earlier line with invalid UTF-8 does not move it', () => {
    const file = join(work, 'cut.jsonl');
    const good = Buffer.concat([Buffer.from(lines([record(0)]).replace('"t0"', '"t\\u00e9"')), Buffer.from(JSON.stringify(record(1)).replace('"t1"', '"t1X"')), Buffer.from('\n')]);
    good[good.indexOf('X')] = 0xff; // a byte that is not UTF-8, inside a record's text
    const partial = Buffer.from('{"v":1,"sweep":"s","attempt":"a2","of":1,"te');
    writeFileSync(file, Buffer.concat([good, partial]));
    const loaded = jsonlStore(file).load();
    expect(loaded.map((r) => r.attempt)).toEqual(['a0', 'a1']);
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  it('fuzzed: whole records and any cut of a further one load as the whole records, and the file is cut to exactly them', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 5 }), fc.nat(60), (texts, cutAt) => {
        const file = join(work, `fuzz-${n++}.jsonl`);
        const whole = Buffer.from(lines(texts.map((t, i) => record(i, t))));
        const next = Buffer.from(JSON.stringify(record(99)));
        const tail = next.subarray(0, Math.min(cutAt, next.length - 1));
        writeFileSync(file, Buffer.concat([whole, tail]));
        const loaded = jsonlStore(file).load();
        expect(loaded.map((r) => r.text)).toEqual(texts.map((t) => JSON.parse(JSON.stringify(t)) as string));
        expect(readFileSync(file).equals(whole)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('two sweeps on one results file: the second is refused while the first lives; a lock left by a killed one is taken over', async () => {
    const file = join(work, 'shared.jsonl');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${file}.lock`, String(child.pid));
      expect(() => lockResultsFile(file)).toThrow(`Another sweep (process ${child.pid}) is writing ${file}; wait for it to finish, or give another --out (remove ${file}.lock if no sweep is running).`);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const release = lockResultsFile(file);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid} ${hostname()}`);
    release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("a shard's file on a shared volume: another machine's lock is waited for while refreshed, and taken over once stale", async () => {
    const timing = { heartbeatMs: 100, staleMs: 600, waitMs: 1500 };
    const file = join(work, 'shard-3.jsonl');
    // A pod killed on another node: its lock stops being refreshed; the retried pod waits for it to go stale and takes it over.
    writeFileSync(`${file}.lock`, `${process.pid + 1} node-b.cluster.local`);
    const waits: string[] = [];
    const t0 = Date.now();
    const release = lockResultsFile(file, timing, (m) => waits.push(m));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(waits[0]).toMatch(/^waiting for .*shard-3\.jsonl\.lock \(process \d+ on node-b\.cluster\.local, refreshed \d+ s ago\) to be released or to go stale$/);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid} ${hostname()}`);
    release();
    // A living writer on another node keeps refreshing: refused once the wait is over.
    // (The pid of another machine means nothing here, even when it is alive locally: only the refresh counts.)
    writeFileSync(`${file}.lock`, `${process.pid} node-b.cluster.local`);
    // Written a minute old, so the keeper's first refresh shows: the check starts only once it is refreshing (however slowly it started).
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    const keeper = spawn(process.execPath, ['-e', `setInterval(() => { const t = new Date(); require('fs').utimesSync(${JSON.stringify(`${file}.lock`)}, t, t); }, 100)`], { stdio: 'ignore' });
    try {
      await vi.waitFor(() => expect(Date.now() - statSync(`${file}.lock`).mtimeMs).toBeLessThan(1000), { timeout: 30_000, interval: 50 });
      const living = { heartbeatMs: 100, staleMs: 2000, waitMs: 2500 };
      expect(() => lockResultsFile(file, living)).toThrow(`Another sweep (process ${process.pid} on node-b.cluster.local) is writing ${file}; wait for it to finish, or give another --out (a lock not refreshed for 2 s is taken over; remove ${file}.lock if no sweep is running).`);
    } finally {
      keeper.kill('SIGKILL');
    }
    await new Promise((r) => keeper.once('exit', r));
    unlinkSync(`${file}.lock`);
  });

  it('a running sweep refreshes its lock, so other machines see it alive', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const file = join(work, 'beating.jsonl');
      const release = lockResultsFile(file);
      const old = new Date(Date.now() - LOCK_STALE_MS - 1000); // as if it had not been refreshed for a minute
      utimesSync(`${file}.lock`, old, old);
      vi.advanceTimersByTime(LOCK_HEARTBEAT_MS);
      expect(Date.now() - statSync(`${file}.lock`).mtimeMs).toBeLessThan(LOCK_HEARTBEAT_MS);
      release();
    } finally {
      vi.useRealTimers();
    }
  });
});
