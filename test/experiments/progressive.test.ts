import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { randomSource } from '../../src/datasets/node/sources.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../../src/shared/run-settings.ts';
import { runSweep, storedVectors, SweepAborted, type SweepOptions, type SweepResult } from '../../src/experiments/jobs/sweep.ts';
import { memoryStore, parseRecords, sweepId, type SweepRecord } from '../../src/experiments/records.ts';
import { jsonlStore } from '../../src/experiments/node/jsonl-store.ts';
import { methodByName, MethodUnavailableError, oneshotMethod, type MethodBatch, type SweepMethod } from '../../src/experiments/jobs/methods.ts';
import { decodeOnePass } from '../../src/prototokens/decode.ts';
import type { ProtoVectors } from '../../src/prototokens/trainer.ts';
import { summarise, progressivePairs } from '../../src/experiments/report.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Issue 19 §1, §4: a progressive sweep starts each rung from the previous rung's best e and m.
// stories260k, one random text, 2 seeds, 150 steps per rung, the ladder to 11 tokens.

const settings: ProtoSettings = { ...PAPER_SETTINGS, maxSteps: 150, reportEvery: 10 };

/** What must not change between an interrupted-and-resumed progressive sweep and an uninterrupted one. */
const outcome = (r: SweepRecord) => ({
  text: r.text,
  length: r.length,
  init: r.init,
  correct: r.correct,
  steps: r.steps,
  stepsRun: r.stepsRun,
  passed: r.passed,
  vectors: r.vectors,
  from: r.from,
  startCorrect: r.startCorrect,
});

const correctOf = (ids: number[], target: number[]) => ids.reduce((n, id, i) => n + (id === target[i] ? 1 : 0), 0);

describe('progressive capacity sweep (stories260k)', () => {
  let gpu: Gpu;
  let model: Model;
  let tokenizer: Tokenizer;
  let base: Omit<SweepOptions, 'store'>;
  let full: SweepResult;
  /** The batches the method was given, in order. */
  const batches: MethodBatch[] = [];
  const spy: SweepMethod = { ...oneshotMethod, run: (m, batch, s, h) => (batches.push(batch), oneshotMethod.run(m, batch, s, h)) };

  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
    base = { model, tokenizer, source: randomSource(), texts: 1, seeds: 2, settings, maxLength: 11, init: 'progressive' };
    full = await runSweep({ ...base, method: spy, store: memoryStore() });
  });

  it('records carry init and, per seed, the best vectors that give their correct count', async () => {
    const rs = full.records;
    expect(rs.length).toBeGreaterThanOrEqual(3); // it climbed (else the warm-start checks below prove little)
    expect(full.key.init).toBe('progressive');
    for (const [i, r] of rs.entries()) {
      expect(r.init).toBe('progressive');
      expect(r.vectors).toHaveLength(2);
      const v = storedVectors(r);
      for (const [s, x] of v.entries()) {
        expect([x.e.length, x.m.length]).toEqual([64, 64]);
        // The stored pair is the kept best: one forward pass of it reproduces the recorded count.
        expect(correctOf(await decodeOnePass(model, x, r.layout, r.firstTarget, r.length), r.tokens)).toBe(r.correct[s]);
      }
      if (i === 0) {
        expect(r.from).toBeUndefined();
        expect(r.startCorrect).toBeUndefined();
      } else expect(r.from).toBe(rs[i - 1].length);
    }
  });

  it("each rung starts from the previous rung's best e and m, bit for bit, the new positions taking m", async () => {
    const rs = full.records;
    expect(batches).toHaveLength(rs.length);
    expect(batches[0].initial).toBeUndefined(); // the first rung is drawn from the restart seeds
    for (let i = 1; i < rs.length; i++) {
      const prev = storedVectors(rs[i - 1]);
      const given = batches[i].initial as ProtoVectors[];
      expect(given).toHaveLength(2);
      given.forEach((v, s) => {
        expect(Array.from(v.e)).toEqual(Array.from(prev[s].e));
        expect(Array.from(v.m)).toEqual(Array.from(prev[s].m));
      });
      // [e, m, ..., m] only grows, so the causal prefix is what it was: before any step the start
      // gets right at least what the previous best got right on the common prefix, and the run's
      // kept best (which counts the start) is no worse.
      const r = rs[i];
      for (let s = 0; s < 2; s++) {
        const before = await decodeOnePass(model, prev[s], r.layout, r.firstTarget, rs[i - 1].length);
        const now = await decodeOnePass(model, prev[s], r.layout, r.firstTarget, r.length);
        expect(now.slice(0, before.length)).toEqual(before);
        expect(r.startCorrect![s]).toBe(correctOf(now, r.tokens));
        expect(r.startCorrect![s]).toBeGreaterThanOrEqual(rs[i - 1].correct[s]);
        expect(r.correct[s]).toBeGreaterThanOrEqual(r.startCorrect![s]);
      }
    }
  });

  it('killed (between attempts, then inside one) and resumed: the same records, vectors included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'protolab-progressive-'));
    const file = join(dir, 'results.jsonl');
    const c1 = new AbortController();
    await expect(runSweep({ ...base, store: jsonlStore(file), signal: c1.signal, onAttempt: () => c1.abort() })).rejects.toBeInstanceOf(SweepAborted);
    const c2 = new AbortController();
    let attempts = 0;
    const r2 = runSweep({
      ...base,
      store: jsonlStore(file),
      signal: c2.signal,
      onAttempt: () => attempts++,
      onProgress: (p) => {
        if (attempts >= 1 && p.phase === 'train' && p.step >= 10) c2.abort();
      },
    });
    await expect(r2).rejects.toBeInstanceOf(SweepAborted);
    expect(parseRecords(readFileSync(file, 'utf8')).records).toHaveLength(2);
    appendFileSync(file, '{"v":1,"sweep":"cut off in the midd');
    const done = await runSweep({ ...base, store: jsonlStore(file) });
    expect(done.reused).toBe(2);
    expect(done.records.map(outcome)).toEqual(full.records.map(outcome));
  });

  it('from scratch and progressive are different sweeps; a from-scratch id is what it was before init existed', async () => {
    const scratch = await runSweep({ ...base, init: undefined, lengths: [4, 5], maxLength: undefined, store: memoryStore() });
    expect(scratch.key.init).toBe('normal');
    expect(scratch.sweep).toBe(sweepId({ ...scratch.key, init: undefined }));
    expect(scratch.sweep).not.toBe(sweepId({ ...scratch.key, init: 'progressive' }));
    for (const r of scratch.records) {
      expect(r.init).toBe('normal');
      expect(r.vectors).toBeUndefined();
    }
    // Both in one store: each keeps its own records, and the report pairs them.
    const both = memoryStore([...scratch.records, ...full.records]);
    const again = await runSweep({ ...base, store: both });
    expect(again.ran).toBe(0);
    expect(progressivePairs(summarise(both.records))).toHaveLength(1);
  });

  it('refuses what it cannot warm-start: the memory method, shared vectors, packed texts', async () => {
    const store = memoryStore();
    await expect(runSweep({ ...base, method: methodByName('memory'), store })).rejects.toThrow(MethodUnavailableError);
    await expect(runSweep({ ...base, texts: 2, share: 'm', group: 2, store })).rejects.toThrow(/share nothing/);
    await expect(runSweep({ ...base, texts: 2, pack: 2, store })).rejects.toThrow(/one text per batch/);
    expect(store.records).toEqual([]);
  });
});
