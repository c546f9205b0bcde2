/**
 * The memory plan (prototokens/memory-plan.ts) against the engine's real allocations, and the
 * issue's memory targets for the paper's six models, computed from the same plans.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeGpu } from '../../src/gpu/node.ts';
import { loadModel } from '../../src/model/load.ts';
import { parseConfig } from '../../src/model/config.ts';
import { MODEL_SHAPES, modelShape } from '../../src/model/shapes.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { WEIGHT_FORMATS } from '../../src/model/weight-format.ts';
import { autoFormat, memoryPlan, NoFormatFitsError } from '../../src/prototokens/memory-plan.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { FIXTURES, STORIES } from '../helpers/fixtures.ts';

const GiB = 2 ** 30;
// A binding limit browsers commonly give (WebGPU's default maxStorageBufferBindingSize).
const BINDING = 128 * 2 ** 20;

describe('memory plan = what the engine allocates', () => {
  const cases: [string, string, number][] = [
    ...WEIGHT_FORMATS.map((f): [string, string, number] => [STORIES, f, 40]),
    [`${FIXTURES}gpt-neox-tiny`, 'q4', 17],
    [`${FIXTURES}llama-gqa-untied`, 'bf16', 9],
    // Per-head q/k norms: their weights and the session's extra buffers (qkvProj, nq, nk, dqkvProj).
    [`${FIXTURES}qwen3-tiny`, 'q8', 13],
    // Learned positions: wpe in the weight format, the session's x0 and position ids.
    [`${FIXTURES}gpt2-tiny`, 'q4', 11],
    [`${FIXTURES}gpt2-tiny`, 'f32', 11],
  ];
  it.each(cases)('%s in %s, a trainer for %i tokens', async (dir, format, n) => {
    // A small binding limit splits the bigger matrices into chunks, which the plan must count too.
    const gpu = await createNodeGpu({ maxBindingBytes: 1 << 20 });
    try {
      const model = await loadModel(gpu, nodeFolderSource(dir), { format: format as (typeof WEIGHT_FORMATS)[number] });
      const plan = memoryPlan(model.spec, model.weightFormat, n, gpu.limits.maxStorageBindingBytes);
      expect(gpu.bytesAllocated).toBe(plan.weight_bytes);
      expect(plan.params).toBe(model.parameterCount);
      const targets = Array.from({ length: n }, (_, i) => 3 + (i % 100));
      const trainer = await ProtoTrainer.create(model, singleText(targets, 0), { ...PAPER_SETTINGS, maxSteps: 1 });
      expect(gpu.bytesAllocated - gpu.uniformBytesAllocated).toBe(plan.total_bytes);
      trainer.destroy();
      model.destroy();
    } finally {
      gpu.destroy();
    }
  });
});

describe("the paper's six models: weight bytes and totals against the issue's targets", () => {
  const spec = (name: string) => parseConfig(modelShape(name).config);

  it('weight bytes per parameter: f16 and bf16 at most 2.02, q8 1.07, q4 0.57, on every shape', () => {
    const limit = { f32: 4.02, f16: 2.02, bf16: 2.02, q8: 1.07, q4: 0.57 } as const;
    for (const shape of MODEL_SHAPES) {
      for (const f of WEIGHT_FORMATS) {
        const p = memoryPlan(spec(shape.name), f, 128, BINDING);
        expect(p.weight_bytes / p.params, `${shape.name} ${f}`).toBeLessThanOrEqual(limit[f]);
      }
    }
  });

  it('Llama-3.1-8B q4 at N = 512 within 7 GiB, Llama-3.2-3B bf16 at 512 within 8 GiB, Llama-3.2-1B bf16 at 1024 within 4 GiB', () => {
    expect(memoryPlan(spec('llama-3.1-8b'), 'q4', 512, BINDING).total_bytes).toBeLessThanOrEqual(7 * GiB);
    expect(memoryPlan(spec('llama-3.2-3b'), 'bf16', 512, BINDING).total_bytes).toBeLessThanOrEqual(8 * GiB);
    expect(memoryPlan(spec('llama-3.2-1b'), 'bf16', 1024, BINDING).total_bytes).toBeLessThanOrEqual(4 * GiB);
  });

  it('auto takes the most precise format that fits, and names the sizes when none does', () => {
    const s8 = spec('llama-3.1-8b');
    expect(autoFormat(s8, 512, BINDING, 7 * GiB)).toBe('q4');
    expect(autoFormat(s8, 512, BINDING, 12 * GiB)).toBe('q8');
    expect(autoFormat(s8, 512, BINDING, 24 * GiB)).toBe('bf16');
    expect(autoFormat(s8, 512, BINDING, 64 * GiB)).toBe('f32');
    expect(() => autoFormat(s8, 512, BINDING, 2 * GiB)).toThrow(NoFormatFitsError);
    expect(() => autoFormat(s8, 512, BINDING, 2 * GiB)).toThrow(/even q4 needs [\d.]+ GiB for a text of 512 tokens, and 2\.00 GiB of GPU memory is available/);
  });

  it('stories260k: the plan of its own config', () => {
    const s = parseConfig(JSON.parse(readFileSync(join(STORIES, 'config.json'), 'utf8')));
    expect(memoryPlan(s, 'f32', 128, BINDING).weight_bytes).toBe(1040128);
  });
});
