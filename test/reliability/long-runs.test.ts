import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Issue 7, long runs: a lab left running overnight must not grow. GPU memory is counted exactly by
// the Gpu (every buffer it creates and frees); the JS heap is read after a forced collection, with a
// margin for V8's own caches (a leak of one Float32Array of the model width per step would be
// 5000 x 256 B = 1.2 MB, a leaked report per run 200 x several kB: both above the margin).

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

interface Footprint {
  gpuBytes: number;
  pipelines: number;
  heap: number;
}

function footprint(gpu: Gpu): Footprint {
  return { gpuBytes: gpu.bytesAllocated, pipelines: gpu.pipelineCount, heap: heapAfterGc() };
}

const HEAP_MARGIN = 1 << 20;

describe('long runs hold GPU memory, pipelines and JS heap flat', () => {
  let gpu: Gpu;
  let model: Model;
  // A text of 8 stories260k tokens that the optimiser keeps improving on for thousands of steps.
  const ids = [403, 261, 300, 415, 270, 291, 317, 466];
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
  });

  it('5000 steps of one run: nothing allocated or compiled after the first report, heap flat', async () => {
    const every = 50;
    const tr = await ProtoTrainer.create(model, singleText(ids, 3), { ...PAPER_SETTINGS, maxSteps: 5000, reportEvery: every });
    // Warm up: first steps compile the pipelines and fill the buffer pool.
    tr.submitSteps(every);
    await tr.report();
    const before = footprint(gpu);
    let last = 0;
    for (let done = every; done < 5000; done += every) {
      tr.submitSteps(every);
      last = (await tr.report()).step;
    }
    const after = footprint(gpu);
    tr.destroy();
    expect(last).toBe(5000);
    expect(after.gpuBytes).toBe(before.gpuBytes);
    expect(after.pipelines).toBe(before.pipelines);
    expect(after.heap - before.heap).toBeLessThan(HEAP_MARGIN);
  }, 600_000);

  it('200 short runs in a row: every run frees what it allocated', async () => {
    const settings = { ...PAPER_SETTINGS, maxSteps: 4, reportEvery: 2 };
    const oneRun = async (k: number) => {
      const tr = await ProtoTrainer.create(model, singleText(ids.slice(0, 4 + (k % 5)), k), settings);
      const r = await optimise(tr);
      tr.destroy();
      return r;
    };
    // Five warm-up runs cover every length used below (4..8 tokens), so all pipelines exist.
    for (let k = 0; k < 5; k++) await oneRun(k);
    const base = gpu.bytesAllocated;
    const start = footprint(gpu);
    let before = start;
    for (let k = 5; k < 205; k++) {
      const r = await oneRun(k);
      expect(r.stepsExecuted).toBeGreaterThan(0);
      expect(gpu.bytesAllocated).toBe(base);
      // The heap is compared over the second 100 runs: the first ones still grow V8's code and
      // feedback caches by about 1 MB; a leak grows with every run, so it shows in both halves.
      if (k === 104) before = footprint(gpu);
    }
    const after = footprint(gpu);
    expect(after.gpuBytes).toBe(start.gpuBytes);
    expect(after.pipelines).toBe(start.pipelines);
    expect(after.gpuBytes).toBe(before.gpuBytes);
    expect(after.pipelines).toBe(before.pipelines);
    expect(after.heap - before.heap).toBeLessThan(HEAP_MARGIN);
  }, 600_000);
});
