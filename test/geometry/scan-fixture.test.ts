import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { PathEvaluator } from '../../src/geometry/jobs/evaluator.ts';
import { scanPath, decodeAt } from '../../src/geometry/jobs/scan.ts';
import { bezierObjective, trainControlPoint } from '../../src/geometry/jobs/bezier.ts';
import { bezierPoint, controlWeight, flatten, midpoint } from '../../src/geometry/path.ts';
import type { SolutionPair } from '../../src/geometry/pair.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES, golden } from '../helpers/fixtures.ts';
import { loadReferenceModel, type ReferenceModel } from '../../src/reference/model.ts';
import { protoInputs } from '../helpers/run-embeddings.ts';

// The GPU path scan and the Bezier gradient on the stories260k fixture against the float64 reference
// forward pass (src/reference/model.ts, itself checked against the fixture's golden loss).

const DIR = `${FIXTURES}stories260k`;
const g = golden('stories260k').prototoken;
const N = 8; // a prefix of the golden text keeps the CPU forward fast
const targets = g.target_ids.slice(0, N);

describe('path scan and Bezier gradient (stories260k fixture)', () => {
  let model: Model;
  let cpu: ReferenceModel;
  let pair: SolutionPair;
  let c: Float64Array;
  const d = () => model.spec.hidden;

  const cpuLoss = (p: ArrayLike<number>) => cpu.forward(protoInputs(Array.prototype.slice.call(p, 0, d()), Array.prototype.slice.call(p, d()), N), targets);

  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(DIR));
    cpu = await loadReferenceModel(nodeFolderSource(DIR));
    const a = flatten(g.e, g.m);
    const rng = new Rng(7);
    const b = a.map((x) => x + rng.normal());
    pair = { a, b, target: { layout: 'e,m*(N-1)', firstTarget: 'e', targets } };
    c = midpoint(a, b).map((x) => x + 0.5 * rng.normal());
  });

  it('the CPU float64 forward reproduces the golden loss (so it can serve as the reference)', () => {
    const r = cpu.forward(protoInputs(g.e, g.m, g.N), g.target_ids);
    expect(Math.abs(r.lossSum - g.loss_sum) / g.loss_sum).toBeLessThan(1e-7);
    expect(Array.from(r.argmax)).toEqual(g.argmax);
  });

  it('a batched scan (5 points in batches of 2, last one padded) equals a CPU evaluation at every tau', async () => {
    const scan = await scanPath(model, pair, c, 5, 2);
    expect(scan.tau).toEqual([0, 0.25, 0.5, 0.75, 1]);
    scan.tau.forEach((t, i) => {
      const want = cpuLoss(bezierPoint(pair.a, pair.b, c, t));
      expect(Math.abs(scan.loss[i] - want.lossSum) / want.lossSum, `loss at tau ${t}`).toBeLessThan(1e-4);
      expect(scan.argmax[i], `argmax at tau ${t}`).toEqual(Array.from(want.argmax));
      expect(scan.accuracy[i]).toBe(want.argmax.filter((x, k) => x === targets[k]).length / N);
    });
    const lin = await scanPath(model, pair, null, 3);
    expect(Math.abs(lin.loss[1] - cpuLoss(midpoint(pair.a, pair.b)).lossSum) / lin.loss[1]).toBeLessThan(1e-4);
    const one = await decodeAt(model, pair, c, 0.25);
    expect(one.argmax).toEqual(scan.argmax[1]);
    expect(one.loss).toBeCloseTo(scan.loss[1], 3);
  });

  it('the Bezier objective and its control point gradient match float64 finite differences of the CPU forward', async () => {
    const taus = [0.2, 0.55, 0.9];
    const ev = await PathEvaluator.create(model, pair.target, { batch: 3, withGrad: true });
    const got = await bezierObjective(ev, pair, c, taus);
    ev.destroy();
    const objective = (cc: ArrayLike<number>) => taus.reduce((s, t) => s + cpuLoss(bezierPoint(pair.a, pair.b, cc, t)).lossSum, 0) / taus.length;
    expect(Math.abs(got.loss - objective(c)) / got.loss).toBeLessThan(1e-4);
    // Directional derivatives (2d coordinates one by one would be 256 CPU passes per side): along
    // the gradient itself, where the derivative is |grad|^2, and along random directions, where the
    // error is measured against |grad||v| since a random projection can cancel to nearly nothing.
    const rng = new Rng(11);
    const h = 1e-4;
    const gnorm = Math.sqrt(got.grad.reduce((s, x) => s + x * x, 0));
    const dirs = [got.grad.map((x) => x / gnorm), ...[0, 1].map(() => Float64Array.from(rng.normalArray(c.length)))];
    dirs.forEach((v, k) => {
      const fd = (objective(c.map((x, i) => x + h * v[i])) - objective(c.map((x, i) => x - h * v[i]))) / (2 * h);
      const an = got.grad.reduce((s, x, i) => s + x * v[i], 0);
      const vnorm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      expect(Math.abs(an - fd) / (gnorm * vnorm), `direction ${k}: ${an} vs ${fd}`).toBeLessThan(1e-3);
      if (k === 0) expect(Math.abs(an - fd) / fd).toBeLessThan(1e-3);
    });
    expect(controlWeight(0.5)).toBe(0.5);
  });

  it('training moves the control point, is reproducible from its seed, and stops when asked', async () => {
    const s = { lr: 0.05, steps: 6, samples: 2, seed: 3 };
    const r1 = await trainControlPoint(model, pair, s);
    const r2 = await trainControlPoint(model, pair, s);
    expect(r1.losses).toHaveLength(6);
    expect(Array.from(r2.control)).toEqual(Array.from(r1.control));
    expect(r1.control).not.toEqual(midpoint(pair.a, pair.b));
    let asked = 0;
    const r3 = await trainControlPoint(model, pair, s, { gate: () => (++asked > 2 ? 'stop' : 'go') });
    expect(r3.stopped).toBe(true);
    expect(r3.losses).toHaveLength(2);
    await expect(trainControlPoint(model, pair, { ...s, samples: 0 })).rejects.toThrow(/samples per step = 0/);
  });
});
