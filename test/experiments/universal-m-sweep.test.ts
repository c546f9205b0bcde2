import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { randomSource } from '../../src/datasets/node/sources.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../../src/shared/run-settings.ts';
import { runSweep, sweepKey, type SweepOptions } from '../../src/experiments/jobs/sweep.ts';
import { memoryStore, parseRecords, sweepId } from '../../src/experiments/records.ts';
import { memoryMethod, MethodUnavailableError, oneshotMethod, type MethodBatch, type MethodRun, type SweepMethod } from '../../src/experiments/jobs/methods.ts';
import { initLabel } from '../../src/experiments/report.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Issue 19 §2: a capacity sweep where every attempt takes its m from a universal m, frozen (only e
// trains) or as a start. stories260k, one random text, 1 seed, 100 steps per length up to 5 tokens.

const settings: ProtoSettings = { ...PAPER_SETTINGS, lr: 0.05, maxSteps: 100, reportEvery: 10 };

describe('a sweep with a universal m', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  let base: Omit<SweepOptions, 'store'>;
  const m = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.5);
  const runs: { batch: MethodBatch; run: MethodRun }[] = [];
  const spy: SweepMethod = { ...oneshotMethod, run: async (mo, batch, s, h) => { const run = await oneshotMethod.run(mo, batch, s, h); runs.push({ batch, run }); return run; } };

  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
    base = { model, tokenizer, source: randomSource(), texts: 1, seeds: 1, settings, maxLength: 5, keepGoing: true };
  });

  it('frozen: every attempt keeps the file m bit for bit (only e trains), and its records say so', async () => {
    const store = memoryStore();
    const r = await runSweep({ ...base, method: spy, init: 'universal-m frozen', universalM: m, store });
    expect(r.records.map((x) => x.length)).toEqual([4, 5]);
    for (const { batch, run } of runs) {
      expect(batch.reuseM).toEqual({ m, frozen: true });
      for (const v of run.best!) expect(Array.from(v.m)).toEqual(Array.from(m));
    }
    const lines = parseRecords((await store.load()).map((x) => JSON.stringify(x)).join('\n')).records;
    expect(lines.every((x) => x.init === 'universal-m frozen' && typeof x.universalM === 'string')).toBe(true);
    expect(initLabel(lines[0])).toBe(', universal m frozen');
  });

  it('as a start: m moves from the file m', async () => {
    runs.length = 0;
    await runSweep({ ...base, maxLength: 4, method: spy, init: 'universal-m', universalM: m, store: memoryStore() });
    expect(runs[0].batch.reuseM).toEqual({ m, frozen: false });
    expect(Array.from(runs[0].run.best![0].m)).not.toEqual(Array.from(m));
  });

  it('the m is part of the key: another m, or none, is another sweep', () => {
    const other = m.map((x) => x + 1e-3);
    const id = (init: SweepOptions['init'], u?: Float32Array) => sweepId(sweepKey({ ...base, init, universalM: u }));
    expect(new Set([id('universal-m frozen', m), id('universal-m frozen', other), id('universal-m', m), id('normal')]).size).toBe(4);
  });

  it('refuses a universal init without its m, an m without the init, the memory method and shared vectors', async () => {
    const store = memoryStore();
    await expect(runSweep({ ...base, init: 'universal-m frozen', store })).rejects.toThrow(/needs the universal m/);
    await expect(runSweep({ ...base, universalM: m, store })).rejects.toThrow(/a universal m was given, but the sweep's init is normal/i);
    await expect(runSweep({ ...base, init: 'universal-m', universalM: m, method: memoryMethod(2), store })).rejects.toThrow(MethodUnavailableError);
    await expect(runSweep({ ...base, texts: 2, init: 'universal-m', universalM: m, share: 'm', group: 2, store })).rejects.toThrow(/share nothing else/);
  });
});
