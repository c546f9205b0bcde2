import { beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { MemoryTrainer } from '../../src/memory/trainer.ts';
import { memoryRestarts } from '../../src/memory/problem.ts';
import { MEMORY_SETTINGS } from '../../src/memory/settings.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Memory-token runs go through the one trainer core (prototokens/input-trainer.ts), so they take
// snapshots and resume from them exactly as proto-token runs do (test/worker/resume.test.ts).
describe('a memory-token trainer resumes from a snapshot on the same trajectory (stories260k)', () => {
  let gpu: Gpu;
  let model: Model;
  const TEXT = [403, 407, 261, 378, 300, 271, 310, 290, 261, 348, 270, 372];
  const settings = { ...MEMORY_SETTINGS, maxSteps: 30, reportEvery: 5 };

  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
  });

  it('30 steps straight equal 12 steps, a snapshot, and 18 steps in a new trainer restored from it', async () => {
    const problem = memoryRestarts(TEXT, 7, 2, 2);
    const straight = await MemoryTrainer.create(model, problem, settings);
    straight.submitSteps(12);
    const snap = structuredClone(await straight.snapshot()); // as IndexedDB would give it back
    straight.submitSteps(18);
    const a = await straight.report();
    const [bestA, currentA] = [await straight.bestVectors(), await straight.currentVectors()];
    straight.destroy();
    expect(snap.step).toBe(12);
    expect(snap.adamStep).toBe(12);

    const resumed = await MemoryTrainer.create(model, problem, settings);
    resumed.restore(snap);
    expect(resumed.stepsSubmitted).toBe(12);
    resumed.submitSteps(100); // capped at maxSteps: 18 more
    const b = await resumed.report();
    expect(b.step).toBe(30);
    expect(b.loss).toEqual(a.loss);
    expect(b.bestCorrect).toEqual(a.bestCorrect);
    expect(b.bestStep).toEqual(a.bestStep);
    expect((await resumed.currentVectors()).map((v) => Array.from(v.memory))).toEqual(currentA.map((v) => Array.from(v.memory)));
    expect((await resumed.bestVectors()).map((v) => Array.from(v.memory))).toEqual(bestA.map((v) => Array.from(v.memory)));
    resumed.destroy();
  });

  it('refuses a snapshot of another shape, saying to start anew', async () => {
    const one = await MemoryTrainer.create(model, memoryRestarts(TEXT, 7, 1, 1), settings);
    one.submitSteps(2);
    const snap = await one.snapshot();
    one.destroy();
    const two = await MemoryTrainer.create(model, memoryRestarts(TEXT, 7, 1, 2), settings);
    expect(() => two.restore(snap)).toThrow(/The checkpoint's params has 64 values but this run needs 128: .*start a new run instead/);
    two.destroy();
  });
});
