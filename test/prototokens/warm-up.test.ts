import { describe, it, expect } from 'vitest';
import { createNodeGpu } from '../../src/gpu/node.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { warmUpStep } from '../../src/prototokens/warm-up.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { STORIES } from '../helpers/fixtures.ts';

describe('warming up a step after the model loads', () => {
  it('compiles every pipeline a run of that length needs, and the length-independent ones of any other; nothing stays allocated', async () => {
    const gpu = await createNodeGpu();
    gpu.parallelCompiles = true; // as in the browser, where the lab warms up
    const model = await loadModel(gpu, nodeFolderSource(STORIES));
    const before = gpu.bytesAllocated;
    await warmUpStep(model);
    const warmed = gpu.pipelineCount;
    expect(warmed).toBeGreaterThan(15);
    expect(gpu.bytesAllocated).toBe(before);
    const run = async (N: number) => {
      const t = await ProtoTrainer.create(model, singleText(Array.from({ length: N }, (_, i) => 20 + i), 0), { ...PAPER_SETTINGS, maxSteps: 5 });
      t.submitSteps(5);
      await t.report();
      t.destroy();
    };
    await run(16);
    expect(gpu.pipelineCount).toBe(warmed);
    // A longer text adds only matmul variants (their tiles follow the row count).
    await run(200);
    expect(gpu.pipelineCount - warmed).toBeLessThanOrEqual(8);
  });
});
