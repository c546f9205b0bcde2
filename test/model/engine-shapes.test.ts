import { describe, it, expect } from 'vitest';
import { createNodeGpu } from '../../src/gpu/node.ts';
import { Program } from '../../src/gpu/program.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { TransformerSession } from '../../src/model/transformer.ts';
import { mlpUpWidth } from '../../src/model/block.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { relMaxError, relNormError } from '../helpers/compare.ts';
import { FIXTURE_NAMES, FIXTURES, golden } from '../helpers/fixtures.ts';
import { runEmbeddings, protoInputs } from '../helpers/run-embeddings.ts';

describe('engine shapes', () => {
  // gpt-neox-tiny's 50304 x 64 output matrix is 12.9 MB in f32: with a 1 MiB limit it becomes 13
  // chunks (7 in f16, its checkpoint's own precision, which stores its values exactly), and a
  // 256 KiB logits budget splits the vocabulary further, exercising recompute in backward.
  it.each([
    ['f32', 13],
    ['f16', 7],
  ] as const)('matrices split across bindings and vocabulary chunks give the golden results (1 MiB binding limit, %s weights)', async (format, chunks) => {
    const gpu = await createNodeGpu({ maxBindingBytes: 1 << 20 });
    const model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}gpt-neox-tiny`), { format });
    expect(model.weights.lmHead.chunks.length).toBe(chunks);
    const pt = golden('gpt-neox-tiny').prototoken;
    const s = new TransformerSession(model, { batch: 1, seqLen: pt.N, withGrad: true, logitsChunkBytes: 256 << 10 });
    gpu.write(s.inputs, protoInputs(pt.e, pt.m, pt.N));
    gpu.write(s.targets, Uint32Array.from(pt.target_ids));
    const p = new Program(gpu, 'chunked');
    s.recordForward(p);
    s.recordBackward(p);
    p.run();
    const [loss, argmax, grad] = await gpu.readMany([s.loss, s.argmax, s.dInputs!]);
    const lossSum = (loss as Float32Array).reduce((a, b) => a + b, 0);
    expect(Math.abs(lossSum - pt.loss_sum) / pt.loss_sum).toBeLessThan(1e-4);
    expect(Array.from(argmax)).toEqual(pt.argmax);
    const d = model.spec.hidden;
    expect(relNormError((grad as Float32Array).subarray(0, d), pt.grad_e)).toBeLessThan(1e-3);
    gpu.destroy();
  });

  it('a batch of 3 sequences gives the same per-sequence results as 3 single runs', async () => {
    const gpu = await testGpu();
    const model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}stories260k`));
    const d = model.spec.hidden;
    const N = 9;
    const B = 3;
    const rng = new Rng(5);
    const inputs = Array.from({ length: B }, () => rng.normalArray(N * d));
    const targets = Array.from({ length: B }, () => Array.from({ length: N }, () => rng.int(model.spec.vocabSize)));
    const s = new TransformerSession(model, { batch: B, seqLen: N, withGrad: true });
    const all = new Float32Array(B * N * d);
    inputs.forEach((x, b) => all.set(x, b * N * d));
    gpu.write(s.inputs, all);
    gpu.write(s.targets, Uint32Array.from(targets.flat()));
    const p = new Program(gpu, 'batched');
    s.recordForward(p);
    s.recordBackward(p);
    p.run();
    const [loss, grad, itemLoss, itemCorrect, argmax] = await gpu.readMany([s.loss, s.dInputs!, s.itemLoss, s.itemCorrect, s.argmax]);
    for (let b = 0; b < B; b++) {
      const single = await runEmbeddings(model, inputs[b], targets[b], { grad: true });
      expect(relMaxError((loss as Float32Array).subarray(b * N, (b + 1) * N), single.loss)).toBeLessThan(1e-5);
      expect(relMaxError((grad as Float32Array).subarray(b * N * d, (b + 1) * N * d), single.grad!)).toBeLessThan(1e-5);
      expect(itemLoss[b]).toBeCloseTo(single.lossSum, 3);
      const correct = targets[b].filter((t, i) => single.argmax[i] === t).length;
      expect(itemCorrect[b]).toBe(correct);
      expect(Array.from((argmax as Uint32Array).subarray(b * N, (b + 1) * N))).toEqual(Array.from(single.argmax));
    }
  });

  // Big models recompute each layer's MLP input projection in backward instead of keeping it
  // (session-buffers.ts MLP_KEEP_BYTES); forcing it on the fixtures must give their golden values.
  it.each(FIXTURE_NAMES)('%s: recomputing the MLP input projection in backward gives the golden loss and gradients', async (name) => {
    const gpu = await testGpu();
    const model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}${name}`));
    const pt = golden(name).prototoken;
    const d = model.spec.hidden;
    const s = new TransformerSession(model, { batch: 1, seqLen: pt.N, withGrad: true, mlpKeepBytes: 0 });
    const kept = new TransformerSession(model, { batch: 1, seqLen: pt.N, withGrad: true });
    // The recomputing session keeps one u instead of one per layer.
    const upW = mlpUpWidth(model.spec);
    expect(kept.bytes - s.bytes).toBe((model.spec.layers - 1) * Math.ceil((pt.N * upW * 4) / 16) * 16);
    gpu.write(s.inputs, protoInputs(pt.e, pt.m, pt.N));
    gpu.write(s.targets, Uint32Array.from(pt.target_ids));
    const p = new Program(gpu, 'recompute');
    s.recordForward(p);
    s.recordBackward(p);
    p.run();
    const [loss, grad] = await gpu.readMany([s.loss, s.dInputs!]);
    const lossSum = (loss as Float32Array).reduce((a, b) => a + b, 0);
    expect(Math.abs(lossSum - pt.loss_sum) / pt.loss_sum).toBeLessThan(1e-4);
    const g = grad as Float32Array;
    const gm = new Float64Array(d);
    for (let i = 1; i < pt.N; i++) for (let j = 0; j < d; j++) gm[j] += g[i * d + j];
    expect(relNormError(g.subarray(0, d), pt.grad_e)).toBeLessThan(1e-3);
    expect(relNormError(gm, pt.grad_m)).toBeLessThan(1e-3);
    s.destroy();
    kept.destroy();
    p.destroy();
  });

  it('refuses more positions than the model has', async () => {
    const gpu = await testGpu();
    const model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}stories260k`));
    expect(() => new TransformerSession(model, { batch: 1, seqLen: 513, withGrad: false })).toThrow(/at most 512/);
  });
});
