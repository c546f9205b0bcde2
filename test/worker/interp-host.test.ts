import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { encodeSolution, LAB_VERSION, type SolutionMeta } from '../../src/prototokens/solution-file.ts';
import { InterpHost } from '../../src/worker/interp-host.ts';
import type { InterpFromWorker } from '../../src/worker/interp-protocol.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

// The worker side of the interpolate view on the tiny stories260k fixture: pair checks with their
// reasons, the messages each job posts, one heavy job at a time, and stopping a training.

const DIR = `${FIXTURES}stories260k`;

describe('InterpHost (worker side of the interpolate view)', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  let posted: InterpFromWorker[];
  let host: InterpHost;
  const ids = [265, 420, 419, 262, 415, 389];

  const solution = (seed: number, patch: Partial<SolutionMeta> = {}): ArrayBuffer => {
    const rng = new Rng(seed);
    const d = model.spec.hidden;
    const meta: SolutionMeta = {
      model: 'fixtures-stories260k', modelFingerprint: model.fingerprint, weightFormat: model.weightFormat, hidden: d, layout: 'e,m*(N-1)', firstTarget: 'e', targetIds: ids, text: 'x', seed,
      lr: 0.01, init: 'normal', steps: 1, loss: 1, accuracy: 0, cTokens: 0, seconds: 1, createdAt: '2026-01-01T00:00:00Z', labVersion: LAB_VERSION, ...patch,
    };
    const bytes = encodeSolution({ e: rng.normalArray(d), m: rng.normalArray(d), meta });
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
  const last = <T extends InterpFromWorker['type']>(type: T) => posted.filter((m) => m.type === type).at(-1) as Extract<InterpFromWorker, { type: T }> | undefined;

  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(DIR));
    tokenizer = await loadTokenizer(nodeFolderSource(DIR));
    posted = [];
    host = new InterpHost((m) => posted.push(m));
  });

  it('refuses pairs that cannot share a path, naming the reason', async () => {
    const pair = (b: ArrayBuffer) => host.setPair(model, tokenizer, { type: 'pathPair', requestId: 1, a: solution(1), b, names: ['a', 'b'] });
    await expect(pair(solution(2, { targetIds: [1, 2, 3, 4, 5, 6] }))).rejects.toThrow(/different texts/);
    await expect(pair(solution(2, { layout: 'e*N' }))).rejects.toThrow(/different layouts/);
    await expect(pair(solution(2, { modelFingerprint: 'other', model: 'pythia-70m' }))).rejects.toThrow(/made with pythia-70m/);
    await expect(host.scan(model, { type: 'pathScan', requestId: 2, kind: 'linear', control: null, resolution: 5 })).rejects.toThrow(/pick two solutions first/);
  });

  it('pairs, scans, decodes, trains one job at a time, and stops when asked', async () => {
    await host.setPair(model, tokenizer, { type: 'pathPair', requestId: 3, a: solution(1), b: solution(2), names: ['a', 'b'], others: [{ id: 'o1', bytes: solution(3) }, { id: 'foreign', bytes: solution(4, { modelFingerprint: 'x' }) }] });
    const paired = last('pathPaired')!;
    expect(paired.N).toBe(6);
    expect(paired.a).toHaveLength(2 * model.spec.hidden);
    expect(paired.others.map((o) => o.id)).toEqual(['o1']);
    expect(paired.decodedA).toHaveLength(6);

    await host.scan(model, { type: 'pathScan', requestId: 4, kind: 'linear', control: null, resolution: 5 });
    const scan = last('pathScanned')!;
    expect(scan.tau).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(scan.lengthRatio).toBeCloseTo(1, 10);
    expect(scan.meanLoss).toBeGreaterThan(0);
    await expect(host.scan(model, { type: 'pathScan', requestId: 5, kind: 'linear', control: null, resolution: 1 })).rejects.toThrow(/from 2 to/);

    await host.decode(model, tokenizer, { type: 'pathDecode', requestId: 6, kind: 'bezier', control: null, tau: 0 });
    expect(last('pathDecoded')).toMatchObject({ requestId: 6, kind: 'bezier', ids: paired.decodedA });
    await expect(host.decode(model, tokenizer, { type: 'pathDecode', requestId: 7, kind: 'bezier', control: new Float64Array(3), tau: 0.5 })).rejects.toThrow(/control point has 3 values/);

    const training = host.train(model, { type: 'bezierTrain', requestId: 8, settings: { lr: 0.05, steps: 1000, samples: 2, seed: 0 } });
    // Busy from the call on, so the engine refuses any other start at once (engine-jobs.test.ts).
    expect(host.busy).toBe('train');
    while (!posted.some((m) => m.type === 'bezierProgress' && m.requestId === 8)) await new Promise((r) => setTimeout(r, 20));
    host.stop();
    await training;
    const trained = last('bezierTrained')!;
    expect(trained.stopped).toBe(true);
    expect(trained.losses.length).toBeGreaterThan(0);
    expect(trained.losses.length).toBeLessThan(1000);
    expect(trained.control).toHaveLength(2 * model.spec.hidden);
    expect(trained.lengthRatio).toBeGreaterThanOrEqual(1);
    expect(host.busy).toBeNull();
    expect(() => host.stop()).toThrow(/No Bezier training/);

    await host.scan(model, { type: 'pathScan', requestId: 10, kind: 'bezier', control: trained.control, resolution: 3 });
    expect(last('pathScanned')).toMatchObject({ requestId: 10, kind: 'bezier', lengthRatio: trained.lengthRatio });
  });
});
