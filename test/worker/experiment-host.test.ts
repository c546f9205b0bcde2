import { beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { memoryStore } from '../../src/experiments/records.ts';
import type { BrowserRecordStore } from '../../src/experiments/idb-store.ts';
import type { ExperimentSpec } from '../../src/shared/experiment-spec.ts';
import { ExperimentHost } from '../../src/worker/experiment-host.ts';
import type { ExperimentFromWorker } from '../../src/worker/experiment-protocol.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// The worker's experiment runner on stories260k, with the page's store swapped for one in memory:
// two user texts, lengths 2 and 4, 40 steps (seconds on SwiftShader).

const SPEC: ExperimentSpec = {
  kind: 'capacity', method: 'oneshot', memoryTokens: 1, source: 'files', texts: 2, seeds: 1, textSeed: 0, steps: 40, lr: 0.01,
  files: [
    { name: 'cat.txt', text: 'The cat sat on the mat and looked at the dog.' },
    { name: 'sun.txt', text: 'One day the sun was hot and the girl went to the park.' },
  ],
  lengths: [2, 4], maxLength: 0, layout: 'e,m*(N-1)', firstTarget: 'e', share: 'm', groups: [1], progressive: false,
};

function fakeStore(): BrowserRecordStore {
  const m = memoryStore();
  return { ...m, load: async () => m.load(), append: async (r) => m.append(r), clear: async () => void m.records.splice(0), jsonl: async () => m.records.map((r) => `${JSON.stringify(r)}\n`).join(''), close: () => undefined };
}

function harness(store = fakeStore()) {
  const posts: ExperimentFromWorker[] = [];
  /** When each post arrived (performance.now()). */
  const times: number[] = [];
  const waiters: (() => void)[] = [];
  const host = new ExperimentHost((msg) => {
    posts.push(msg);
    times.push(performance.now());
    waiters.splice(0).forEach((w) => w());
  }, 'http://unused/data/', async () => store);
  /** Resolves once a posted message satisfies `ok`. */
  const until = (ok: (m: ExperimentFromWorker) => boolean) =>
    new Promise<ExperimentFromWorker>((resolve) => {
      const check = () => {
        const hit = posts.find(ok);
        if (hit) resolve(hit);
        else waiters.push(check);
      };
      check();
    });
  return { host, posts, times, until, store };
}

const done = (m: ExperimentFromWorker): m is Extract<ExperimentFromWorker, { type: 'experimentDone' }> => m.type === 'experimentDone';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ExperimentHost (stories260k)', () => {
  let gpu: Gpu;
  let model: Model;
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
  });

  it('runs to the end, streams every stored record, reaches 100 %, and a rerun reuses them all', async () => {
    const h = harness();
    h.host.start({ model, tokenizer }, SPEC);
    const end = (await h.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>;
    expect(end.end).toBe('done');
    const streamed = h.posts.flatMap((m) => (m.type === 'experimentRecords' ? m.records : []));
    const stored = await h.store.load();
    expect(streamed).toEqual(stored);
    expect(end.ran).toBe(stored.length);
    expect(new Set(stored.map((r) => r.text))).toEqual(new Set(['cat.txt', 'sun.txt']));
    const progress = h.posts.flatMap((m) => (m.type === 'experimentProgress' ? [m.progress] : []));
    expect(progress.at(-1)!.fraction).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i].fraction).toBeGreaterThanOrEqual(progress[i - 1].fraction - 1e-12);
    expect(progress.some((p) => p.stage === 'train' && p.step > 0)).toBe(true);

    const again = harness(h.store);
    again.host.start({ model, tokenizer }, SPEC);
    const end2 = (await again.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>;
    expect(end2).toMatchObject({ end: 'done', ran: 0, reused: stored.length });
  });

  it('a progressive spec from the page runs a progressive sweep: its own records, warm-started from the stored vectors', async () => {
    const h = harness();
    h.host.start({ model, tokenizer }, { ...SPEC, texts: 1, progressive: true });
    const end = (await h.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>;
    expect(end.end).toBe('done');
    const stored = await h.store.load();
    expect(stored.length).toBeGreaterThanOrEqual(1);
    for (const r of stored) {
      expect(r.init).toBe('progressive');
      expect(r.vectors).toHaveLength(1);
    }
    if (stored.length > 1) expect(stored[1]).toMatchObject({ length: 4, from: 2 });
  });

  it('pause holds training (and is left out of the recorded seconds), step takes one batch, resume finishes', async () => {
    const h = harness();
    const tStart = performance.now();
    h.host.start({ model, tokenizer }, SPEC, 'paused');
    await sleep(300);
    expect(h.posts.some((m) => m.type === 'experimentRecords')).toBe(false);
    expect(h.posts.filter((m) => m.type === 'experimentProgress').at(-1)).toMatchObject({ progress: { phase: 'paused' } });
    // A step lets the sweep start; it pauses again at its first batch of steps, inside the attempt.
    await h.host.handle({ type: 'experimentControl', command: 'step' });
    await h.until((m) => m.type === 'experimentProgress' && m.progress.stage === 'train');
    const t0 = performance.now();
    await sleep(1500);
    const steps = h.posts.flatMap((m) => (m.type === 'experimentProgress' ? [m.progress.step] : []));
    expect(Math.max(...steps)).toBeLessThanOrEqual(10);
    // The second pause began when the sweep said so (after its stepped batch ran), and ends here.
    const pausedAt = h.times[h.posts.findLastIndex((m) => m.type === 'experimentProgress' && m.progress.phase === 'paused')];
    const resumedAt = performance.now();
    await h.host.handle({ type: 'experimentControl', command: 'resume' });
    const end = (await h.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>;
    const wall = (performance.now() - t0) / 1000;
    const paused = (resumedAt - pausedAt) / 1000;
    expect(paused).toBeGreaterThan(0); // the sweep did announce its pause (how long it lasted is measured, not assumed)
    expect(end.end).toBe('done');
    const first = (await h.store.load())[0];
    // Whatever this machine's speed: the attempt's and the experiment's recorded times leave out
    // the time the sweep said it was paused (and the 300 ms pause before the step, for the latter).
    expect(first.seconds).toBeLessThan(wall - paused + 0.05);
    expect(end.seconds).toBeLessThan((performance.now() - tStart) / 1000 - paused - 0.25);
  });

  it('cancel ends the run at once with what was stored; the same spec continues from there', async () => {
    const h = harness();
    h.host.start({ model, tokenizer }, SPEC);
    await h.until((m) => m.type === 'experimentRecords');
    await h.host.handle({ type: 'experimentControl', command: 'cancel' });
    const end = (await h.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>;
    expect(end.end).toBe('cancelled');
    expect(end.message).toMatch(/start the same experiment again to continue/);
    expect(h.host.running).toBe(false);
    await expect(h.host.handle({ type: 'experimentControl', command: 'pause' })).rejects.toThrow(/No experiment is running to pause/);
    const kept = (await h.store.load()).length;
    const again = harness(h.store);
    again.host.start({ model, tokenizer }, SPEC);
    const end2 = (await again.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>;
    expect(end2.reused).toBe(kept);
  });

  it('the memory-token baseline and a sharing run go through the same host', async () => {
    const mem = harness();
    mem.host.start({ model, tokenizer }, { ...SPEC, method: 'memory', memoryTokens: 2, lengths: [2], steps: 20 });
    expect(((await mem.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>).end).toBe('done');
    const recs = await mem.store.load();
    expect(recs.map((r) => [r.method, r.memoryTokens, r.length])).toEqual([['memory', 2, 2], ['memory', 2, 2]]);

    const shared = harness();
    shared.host.start({ model, tokenizer }, { ...SPEC, kind: 'sharing', groups: [1, 2], share: 'm', lengths: [2], steps: 20 });
    expect(((await shared.until(done)) as Extract<ExperimentFromWorker, { type: 'experimentDone' }>).end).toBe('done');
    const rs = await shared.store.load();
    expect(rs.map((r) => [r.share, r.group, r.batch.length])).toEqual([['none', 1, 1], ['none', 1, 1], ['m', 2, 2], ['m', 2, 2]]);
  });

  it('a spec that cannot run is refused before anything starts', () => {
    const h = harness();
    expect(() => h.host.start({ model, tokenizer }, { ...SPEC, files: [] })).toThrow(/no texts: paste a text or pick \.txt files/);
    expect(h.host.running).toBe(false);
  });
});
