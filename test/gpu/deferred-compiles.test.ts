import { describe, it, expect } from 'vitest';
import { createNodeGpu } from '../../src/gpu/node.ts';
import { isPending } from '../../src/gpu/gpu.ts';
import { Program } from '../../src/gpu/program.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { restarts, singleText } from '../../src/prototokens/problem.ts';
import { warmUpStep } from '../../src/prototokens/warm-up.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Pipelines compiled side by side (what Chromium does for a trainer's first step, issue 21): the
// deferred path is run here in Node by turning it on, and must train exactly as compiling at once.

async function trainOnce(parallel: boolean) {
  const gpu = await createNodeGpu();
  gpu.parallelCompiles = parallel;
  const model = await loadModel(gpu, nodeFolderSource(STORIES));
  const tokens = [1, 403, 407, 261, 303, 260, 150, 431, 301, 466, 260, 442];
  const trainer = await ProtoTrainer.create(model, restarts(tokens, 7, 2), { ...PAPER_SETTINGS, maxSteps: 30, reportEvery: 10 });
  trainer.submitSteps(30);
  const report = await trainer.report();
  const best = await trainer.bestVectors();
  trainer.destroy();
  return { report, best, pipelines: gpu.pipelineCount };
}

describe('deferred pipeline compiles', () => {
  it('a trainer whose pipelines compiled asynchronously trains bit for bit as one compiled at once', async () => {
    const atOnce = await trainOnce(false);
    const deferred = await trainOnce(true);
    expect(deferred.pipelines).toBe(atOnce.pipelines);
    expect(deferred.report).toEqual(atOnce.report);
    expect(deferred.best).toEqual(atOnce.best);
  });

  it('a program recorded with pending pipelines refuses to run until they are compiled, then binds them once', async () => {
    const gpu = await createNodeGpu();
    gpu.parallelCompiles = true;
    const t = gpu.createTensor([4]);
    const p = new Program(gpu, 'deferred');
    const first = gpu.deferCompiles(() => gpu.kernel('adamw', 'adamw_tick'));
    expect(isPending(first.made)).toBe(true);
    // Another build asking while it compiles gets the same pending pipeline (no second compile), and waits for it too.
    const second = gpu.deferCompiles(() => gpu.kernel('adamw', 'adamw_tick'));
    expect(second.made).toBe(first.made);
    // A recording outside deferCompiles meanwhile gets a compiled pipeline, to run at once.
    expect(isPending(gpu.kernel('adamw', 'adamw_tick'))).toBe(false);
    p.dispatch({ label: 'tick', pipeline: first.made, params: new ArrayBuffer(16), buffers: { 7: t }, workgroups: [1] });
    expect(() => p.run()).toThrow('tick: its pipeline is still compiling; await the compiled promise of gpu.deferCompiles before running what it recorded.');
    await second.compiled;
    expect(() => p.run()).not.toThrow();
    await gpu.idle();
    p.destroy();
  });

  it('the warm-up and a run started while it compiles share the pipelines, and the run trains as usual', async () => {
    const gpu = await createNodeGpu();
    gpu.parallelCompiles = true;
    const model = await loadModel(gpu, nodeFolderSource(STORIES));
    const warming = warmUpStep(model);
    const trainer = await ProtoTrainer.create(model, singleText([1, 403, 407, 261, 303, 260, 150, 431, 301, 466, 260, 442, 9, 10, 11, 12], 0), { ...PAPER_SETTINGS, maxSteps: 20, reportEvery: 10 });
    trainer.submitSteps(20);
    expect((await trainer.report()).step).toBe(20);
    trainer.destroy();
    await warming;
  });

  it('a shader that fails to compile rejects `compiled` (a trainer is not built on it), and is not cached', async () => {
    const gpu = await createNodeGpu();
    gpu.parallelCompiles = true;
    const broken = () => ({ label: 'broken', layout: 'auto' as const, compute: { module: gpu.device.createShaderModule({ code: '@compute @workgroup_size(1) fn main() { let x: f32 = true; }' }), entryPoint: 'main' } });
    const { made, compiled } = gpu.deferCompiles(() => gpu.pipeline('broken', broken));
    await expect(compiled).rejects.toThrow(/Invalid ShaderModule/);
    const again = gpu.deferCompiles(() => gpu.pipeline('broken', broken));
    expect(again.made).not.toBe(made);
    await expect(again.compiled).rejects.toThrow(/Invalid ShaderModule/);
  });
});
