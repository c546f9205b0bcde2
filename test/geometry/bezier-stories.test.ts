import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { restarts } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { flatten, lengthRatio } from '../../src/geometry/path.ts';
import type { SolutionPair } from '../../src/geometry/pair.ts';
import { scanPath, meanAlongTau } from '../../src/geometry/jobs/scan.ts';
import { trainControlPoint, BEZIER_DEFAULTS } from '../../src/geometry/jobs/bezier.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Issue 5 §2 on the real model: two seeds of one short text, both solved, are joined by a
// trained Bezier curve whose loss along tau is below the straight segment's (Fig. 7 and Eq. 5).

const TEXT = 'The cat sat on the mat.';

describe('Bezier path between two seeds (stories260k)', () => {
  let model: Model;
  let pair: SolutionPair;

  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
    const ids = (await loadTokenizer(nodeFolderSource(STORIES))).encode(TEXT);
    const tr = await ProtoTrainer.create(model, restarts(ids, 1, 2), { ...PAPER_SETTINGS, maxSteps: 600 });
    const r = await optimise(tr);
    tr.destroy();
    expect(r.stoppedBy, `steps ${r.steps}`).toBe('solved');
    const [x, y] = r.best;
    pair = { a: flatten(x.e, x.m), b: flatten(y.e, y.m), target: { layout: PAPER_SETTINGS.layout, firstTarget: 'e', targets: ids } };
  });

  it('the trained curve has a lower mean loss along tau than the straight segment', async () => {
    const R = 11;
    const linear = await scanPath(model, pair, null, R);
    expect(linear.accuracy[0]).toBe(1);
    expect(linear.accuracy[R - 1]).toBe(1);
    const trained = await trainControlPoint(model, pair, BEZIER_DEFAULTS);
    const curve = await scanPath(model, pair, trained.control, R);
    const lin = meanAlongTau(linear.tau, linear.loss);
    const bez = meanAlongTau(curve.tau, curve.loss);
    const ratio = lengthRatio(pair.a, pair.b, trained.control);
    expect(bez).toBeLessThan(lin);
    expect(ratio).toBeGreaterThanOrEqual(1);
  });
});
