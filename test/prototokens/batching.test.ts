import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { ProtoTrainer, type ProtoVectors } from '../../src/prototokens/trainer.ts';
import type { ProtoReport } from '../../src/prototokens/input-trainer.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { accuracyByText, restarts, sharedE, sharedM, singleText, textsWithRestarts, withFixedM, type ProtoProblem } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../../src/shared/run-settings.ts';
import { threeSamples } from '../../src/datasets/samples.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Issue 4 §2 on stories260k and the shared texts: restarts and sharing run as one batched
// forward/backward, and batching changes nothing about any item's run.

const N = 12;
const K = 6; // steps per run: enough for AdamW's moments to matter, few enough to stay fast

interface Run {
  report: ProtoReport;
  now: ProtoVectors[];
  best: ProtoVectors[];
  grads: Float32Array;
}

describe('batched restarts and sharing (stories260k)', () => {
  let gpu: Gpu;
  let model: Model;
  let texts: number[][];
  const d = () => model.spec.hidden;
  const settings = (steps = K): ProtoSettings => ({ ...PAPER_SETTINGS, maxSteps: steps });

  async function run(problem: ProtoProblem, steps = K): Promise<Run> {
    const tr = await ProtoTrainer.create(model, problem, settings(steps));
    try {
      tr.submitSteps(steps);
      const report = await tr.report();
      return { report, now: await tr.currentVectors(), best: await tr.bestVectors(), grads: await tr.lastGradients() };
    } finally {
      tr.destroy();
    }
  }

  const row = (g: Float32Array, r: number) => g.subarray(r * d(), (r + 1) * d());
  const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string) {
    expect(got.length, what).toBe(want.length);
    const scale = Math.max(1e-6, maxAbs(want));
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst / scale, what).toBeLessThan(rel);
  }

  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    const tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
    texts = threeSamples(tokenizer, N).map((s) => s.tokens); // PG-19, random GloVe words, a recent post
  });

  it('a batch of B items gives each item the loss, accuracy and vectors of its own single run', async () => {
    const seeds = [
      [11, 12],
      [13, 14],
      [15, 16],
    ];
    const problem = textsWithRestarts(texts, seeds, 'none', 1);
    expect(problem.targets).toHaveLength(6);
    const batch = await run(problem);
    for (let t = 0; t < 3; t++) {
      for (let s = 0; s < 2; s++) {
        const i = t * 2 + s;
        const single = await run(singleText(texts[t], seeds[t][s]));
        const what = `text ${t} seed ${seeds[t][s]}`;
        expect(Math.abs(batch.report.loss[i] - single.report.loss[0]) / single.report.loss[0], what).toBeLessThan(1e-5);
        expect(batch.report.correct[i], what).toBe(single.report.correct[0]);
        expect(batch.report.bestCorrect[i], what).toBe(single.report.bestCorrect[0]);
        expect(batch.report.bestLoss[i], what).toBeCloseTo(single.report.bestLoss[0], 3);
        expect(batch.report.argmax[i], what).toEqual(single.report.argmax[0]);
        expectClose(batch.now[i].e, single.now[0].e, 1e-5, `${what}: e after ${K} steps`);
        expectClose(batch.now[i].m, single.now[0].m, 1e-5, `${what}: m after ${K} steps`);
        expectClose(batch.best[i].e, single.best[0].e, 1e-5, `${what}: best e`);
      }
    }
    // The runs are not all alike (else the comparison above would prove little).
    expect(new Set(batch.report.loss.map((x) => x.toFixed(3))).size).toBe(6);
  });

  it('restarts of one text in one batch: per-seed accuracy, max over seeds and mean over seeds', async () => {
    const steps = 40;
    const problem = restarts(texts[0], 21, 4);
    const batch = await run(problem, steps);
    const [agg] = accuracyByText(problem, batch.report.bestCorrect);
    const singles: number[] = [];
    for (let s = 0; s < 4; s++) singles.push((await run(singleText(texts[0], 21 + s), steps)).report.bestCorrect[0] / N);
    expect(agg.perSeed).toEqual(singles);
    expect(agg.max).toBe(Math.max(...singles));
    expect(agg.mean).toBeCloseTo(singles.reduce((a, b) => a + b, 0) / 4, 12);
    expect(agg.max).toBeGreaterThan(agg.mean - 1e-12);
    // restarts() is textsWithRestarts with one text and consecutive seeds.
    const same = textsWithRestarts([texts[0]], [[21, 22, 23, 24]], 'none', 1);
    expect(same).toEqual(problem);
  });

  it('several texts with restarts: one aggregate per text, over that text\'s seeds only', () => {
    const p = textsWithRestarts(texts, [[1, 2], [3, 4], [5, 6]], 'none', 1);
    const agg = accuracyByText(p, [12, 6, 3, 3, 0, 9]);
    expect(agg.map((a) => a.perSeed)).toEqual([[1, 0.5], [0.25, 0.25], [0, 0.75]]);
    expect(agg.map((a) => a.max)).toEqual([1, 0.25, 0.75]);
    expect(agg.map((a) => a.mean)).toEqual([0.75, 0.25, 0.375]);
  });

  /** One step from given vectors; returns the routed gradient of the batch and of each text alone. */
  async function gradients(problem: ProtoProblem, init: Map<number, Float32Array>) {
    const joint = await run({ ...problem, initial: init }, 1);
    const alone = [];
    for (let b = 0; b < problem.targets.length; b++) {
      const e = init.get(problem.eRow[b])!;
      const m = init.get(problem.mRow[b])!;
      alone.push(await run({ ...singleText(problem.targets[b], 0), initial: new Map([[0, e], [1, m]]) }, 1));
    }
    return { joint, alone };
  }

  function randomRows(P: number, seed: number): Map<number, Float32Array> {
    const rng = new Rng(seed);
    return new Map(Array.from({ length: P }, (_, r) => [r, rng.normalArray(d(), 1)] as const));
  }

  it('shared m: every text\'s gradient reaches the shared row (it gets their sum) and each e only its own', async () => {
    const problem = sharedM(texts, [1, 2, 3], 3);
    expect(new Set(problem.mRow).size).toBe(1);
    const { joint, alone } = await gradients(problem, randomRows(problem.P, 5));
    const sum = new Float32Array(d());
    for (let b = 0; b < 3; b++) {
      expectClose(row(joint.grads, problem.eRow[b]), row(alone[b].grads, 0), 1e-4, `grad e of text ${b}`);
      expect(joint.report.loss[b] / alone[b].report.loss[0]).toBeCloseTo(1, 5);
      row(alone[b].grads, 1).forEach((g, j) => (sum[j] += g));
    }
    expectClose(row(joint.grads, problem.mRow[0]), sum, 1e-4, 'grad of the shared m = sum over the texts');
    // ... and that sum is not any single text's gradient: all three contribute.
    for (let b = 0; b < 3; b++) expect(maxAbs(row(alone[b].grads, 1))).toBeGreaterThan(1e-3 * maxAbs(sum));
  });

  it('shared e: the same routing for e', async () => {
    const problem = sharedE(texts, [1, 2, 3], 3);
    expect(new Set(problem.eRow).size).toBe(1);
    const { joint, alone } = await gradients(problem, randomRows(problem.P, 6));
    const sum = new Float32Array(d());
    for (let b = 0; b < 3; b++) {
      expectClose(row(joint.grads, problem.mRow[b]), row(alone[b].grads, 1), 1e-4, `grad m of text ${b}`);
      row(alone[b].grads, 0).forEach((g, j) => (sum[j] += g));
    }
    expectClose(row(joint.grads, problem.eRow[0]), sum, 1e-4, 'grad of the shared e = sum over the texts');
  });

  it('a group sharing m trains jointly: one m per (group, restart), moved by all its texts', async () => {
    // 3 texts in groups of 2 ({0,1}, {2}), 2 restarts: shared m rows (group 0, seed 0), (group 0, seed 1), (group 1, ...).
    const problem = textsWithRestarts(texts, [[31, 32], [33, 34], [35, 36]], 'm', 2);
    expect(problem.P).toBe(6 + 4);
    const r = await run(problem, 8);
    const eq = (a: Float32Array, b: Float32Array) => a.every((x, j) => x === b[j]);
    expect(eq(r.now[0].m, r.now[2].m)).toBe(true); // texts 0 and 1, restart 0
    expect(eq(r.now[1].m, r.now[3].m)).toBe(true); // texts 0 and 1, restart 1
    expect(eq(r.now[0].m, r.now[1].m)).toBe(false); // another restart
    expect(eq(r.now[0].m, r.now[4].m)).toBe(false); // another group
    expect(eq(r.now[0].e, r.now[2].e)).toBe(false); // e stays per text
    // Text 0 trained with text 1 ends elsewhere than text 0 trained alone from the same start.
    const alone = await run(singleText(texts[0], 31), 8);
    expect(maxAbs(r.now[0].m.map((x, j) => x - alone.now[0].m[j]))).toBeGreaterThan(1e-3);
    // Text 2 is alone in its group: it runs exactly as a single text.
    const text2 = await run(singleText(texts[2], 35), 8);
    expectClose(r.now[4].m, text2.now[0].m, 1e-5, 'a group of one is a single run');
    expect(r.report.bestCorrect[4]).toBe(text2.report.bestCorrect[0]);
  });

  it('a previously trained m is reused: only e is optimised, and it reproduces a new text', async () => {
    const n = 4;
    const s: ProtoSettings = { ...PAPER_SETTINGS, maxSteps: 600, reportEvery: 20 };
    // m trained jointly on two texts (shared), then reused for a third text.
    const first = await ProtoTrainer.create(model, sharedM([texts[0].slice(0, n), texts[2].slice(0, n)], [0, 1], 2), s);
    const a = await optimise(first);
    first.destroy();
    expect(a.last.bestCorrect).toEqual([n, n]);
    const m = a.best[0].m;
    const tr = await ProtoTrainer.create(model, withFixedM(texts[1].slice(0, n), 3, m), s);
    let start = -1;
    const b = await optimise(tr, { onReport: (r) => (start = start < 0 ? r.correct[0] : start) });
    const [now] = await tr.currentVectors();
    tr.destroy();
    expect(Array.from(now.m)).toEqual(Array.from(m)); // never updated
    expect(Array.from(b.best[0].m)).toEqual(Array.from(m));
    expect(start).toBeLessThan(n);
    expect(b.last.bestCorrect[0]).toBe(n); // the new text, from e alone
  });
});
