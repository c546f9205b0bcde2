import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { testGpu } from '../helpers/gpu.ts';
import { relMaxError, relNormError } from '../helpers/compare.ts';
import { FIXTURES, FIXTURE_NAMES, golden } from '../helpers/fixtures.ts';
import { runEmbeddings, protoInputs } from '../helpers/run-embeddings.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';

// Tolerances from the fixtures README: a correct f32 engine matches logits to ~1e-4 relative and
// gradients to ~1e-3 relative norm error; larger gaps are bugs.
const LOGITS_TOL = 1e-4;
const LOSS_TOL = 1e-4;
const GRAD_TOL = 1e-3;

describe.each(FIXTURE_NAMES)('golden fixture %s', (name) => {
  let gpu: Gpu;
  let model: Model;
  const g = golden(name);
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}${name}`));
  });

  it('forward: logits rows, argmax at every position, summed next-token NLL', async () => {
    const r = await evaluateTokens(model, g.forward.input_ids, { keepLogits: true });
    const V = model.spec.vocabSize;
    g.forward.logits_rows.forEach((row, k) => {
      const got = r.logits!.subarray(row * V, (row + 1) * V);
      const err = relMaxError(got, g.forward.logits[k]);
      expect(err, `logits row ${row}: ${err.toExponential(2)}`).toBeLessThanOrEqual(LOGITS_TOL);
    });
    expect(r.argmax).toEqual(g.forward.argmax);
    expect(Math.abs(r.hLm - g.forward.sum_next_token_nll) / g.forward.sum_next_token_nll).toBeLessThanOrEqual(LOSS_TOL);
  });

  it('proto-token input [e, m x (N-1)]: loss, gradients of e and m, argmax, last logits row', async () => {
    const pt = g.prototoken;
    const d = model.spec.hidden;
    const r = await runEmbeddings(model, protoInputs(pt.e, pt.m, pt.N), pt.target_ids, { grad: true, keepLogits: true });
    expect(Math.abs(r.lossSum - pt.loss_sum) / pt.loss_sum).toBeLessThanOrEqual(LOSS_TOL);
    const gradE = r.grad!.subarray(0, d);
    const gradM = new Float64Array(d);
    for (let i = 1; i < pt.N; i++) for (let j = 0; j < d; j++) gradM[j] += r.grad![i * d + j];
    expect(relNormError(gradE, pt.grad_e), 'grad_e').toBeLessThanOrEqual(GRAD_TOL);
    expect(relNormError(gradM, pt.grad_m), 'grad_m').toBeLessThanOrEqual(GRAD_TOL);
    expect(Array.from(r.argmax)).toEqual(pt.argmax);
    const V = model.spec.vocabSize;
    expect(relMaxError(r.logits!.subarray((pt.N - 1) * V, pt.N * V), pt.logits_last_row)).toBeLessThanOrEqual(LOGITS_TOL);
  });

  // The golden proto-token loss was computed by transformers with [e, m, ...] as inputs_embeds:
  // Gemma's sqrt(hidden) embedding scale must not touch them, GPT-2 must add its positions to
  // them. The trainer builds its inputs its own way (layout kernel, not runEmbeddings), so its
  // first step's loss on the golden vectors proves the product path follows the same rule.
  it('proto-token inputs enter as inputs_embeds: the trainer scores the golden e, m with the golden loss', async () => {
    const pt = g.prototoken;
    const problem = { ...singleText(pt.target_ids, 0), initial: new Map([[0, Float32Array.from(pt.e)], [1, Float32Array.from(pt.m)]]) };
    const tr = await ProtoTrainer.create(model, problem, { ...PAPER_SETTINGS, maxSteps: 1 });
    tr.submitSteps(1);
    const r = await tr.report();
    tr.destroy();
    expect(Math.abs(r.loss[0] - pt.loss_sum) / pt.loss_sum).toBeLessThanOrEqual(LOSS_TOL);
  });
});
