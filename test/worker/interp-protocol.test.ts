import { describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/worker/client.ts';
import { transferablesOf } from '../../src/worker/protocol.ts';
import { FakePort } from '../helpers/fake-worker.ts';

// The interpolate view's messages through the client: bytes transferred, replies matched by id.

describe('interpolation messages', () => {
  it('a pair transfers both solutions and the other solutions sent along', () => {
    const a = new ArrayBuffer(8);
    const b = new ArrayBuffer(8);
    const o = new ArrayBuffer(8);
    expect(transferablesOf({ type: 'pathPair', requestId: 1, a, b, names: ['a', 'b'], others: [{ id: 'o', bytes: o }] })).toEqual([a, b, o]);
    expect(transferablesOf({ type: 'pathScan', requestId: 2, kind: 'linear', control: null, resolution: 3 })).toEqual([]);
  });

  it('requests resolve with their own answers: scan, training (after progress), decode; errors reject', async () => {
    const port = new FakePort();
    const client = new EngineClient(port);
    const scan = client.request({ type: 'pathScan', kind: 'linear', control: null, resolution: 2 });
    const train = client.request({ type: 'bezierTrain', settings: { lr: 0.05, steps: 2, samples: 1, seed: 0 } });
    const decode = client.request({ type: 'pathDecode', kind: 'bezier', control: null, tau: 0.5 });
    const [s, t, d] = port.sent.map((m) => (m as { requestId: number }).requestId);
    port.reply({ type: 'bezierProgress', requestId: t, step: 1, steps: 2, loss: 3, elapsedMs: 1 });
    port.reply({ type: 'bezierTrained', requestId: t, control: new Float64Array(2), losses: [3, 2], lengthRatio: 1.01, stopped: false, settings: { lr: 0.05, steps: 2, samples: 1, seed: 0 }, seconds: 0.1 });
    port.reply({ type: 'pathScanned', requestId: s, kind: 'linear', tau: [0, 1], loss: [1, 1], accuracy: [1, 1], meanLoss: 1, lengthRatio: 1 });
    port.reply({ type: 'error', op: 'pathDecode', requestId: d, message: 'pick two solutions first' });
    await expect(train).resolves.toMatchObject({ losses: [3, 2] });
    await expect(scan).resolves.toMatchObject({ meanLoss: 1 });
    await expect(decode).rejects.toThrow('pick two solutions first');
  });
});
