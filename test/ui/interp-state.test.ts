import { describe, it, expect } from 'vitest';
import { applyInterpError, applyInterpMessage, IDLE_INTERP, interpDecodeRequested, interpPairRequested, interpScanRequested, interpTrainRequested } from '../../src/ui/interp-state.ts';
import { INTERP_DEFAULTS, bezierSettingsOf } from '../../src/ui/interp-settings.ts';
import { checkField } from '../../src/ui/url-state.ts';
import { applyWorkerMessage } from '../../src/ui/reducers.ts';
import { initialState } from '../../src/ui/state.ts';
import { type FromWorker } from '../../src/worker/protocol.ts';
import { BEZIER_DEFAULTS } from '../../src/shared/bezier-settings.ts';

const paired = (requestId: number): FromWorker => ({ type: 'pathPaired', requestId, N: 2, text: 'ab', ids: [5, 6], pieces: ['a', 'b'], decodedA: [5, 6], decodedB: [5, 7], a: Float64Array.from([1, 2]), b: Float64Array.from([3, 4]), distance: 2.83, others: [] });
const scanned = (requestId: number, kind: 'linear' | 'bezier'): FromWorker => ({ type: 'pathScanned', requestId, kind, tau: [0, 1], loss: [1, 2], accuracy: [1, 1], meanLoss: 1.5, lengthRatio: 1 });

describe('interpolate view state', () => {
  it('pair, scans, training and decoding follow their own request ids; stale answers are dropped', () => {
    let v = interpPairRequested(IDLE_INTERP, 3, ['x', 'y']);
    expect(applyInterpMessage(v, paired(2))).toBe(v);
    v = applyInterpMessage(v, paired(3));
    expect(v.pair.state).toBe('ready');
    v = interpScanRequested(v, 'linear', 4);
    expect(applyInterpMessage(v, scanned(9, 'linear'))).toBe(v);
    v = applyInterpMessage(v, scanned(4, 'linear'));
    expect(v.scanning).toBeNull();
    expect(v.scans.linear?.meanLoss).toBe(1.5);
    v = interpTrainRequested(v, 5, 10);
    v = applyInterpMessage(v, { type: 'bezierProgress', requestId: 5, step: 1, steps: 10, loss: 40, elapsedMs: 10 });
    v = applyInterpMessage(v, { type: 'bezierProgress', requestId: 5, step: 2, steps: 10, loss: 30, elapsedMs: 20 });
    expect(v.training?.points.map((p) => p.loss)).toEqual([40, 30]);
    v = applyInterpMessage(v, { type: 'bezierTrained', requestId: 5, control: Float64Array.from([2, 3]), losses: [40, 30], lengthRatio: 1.1, stopped: false, settings: BEZIER_DEFAULTS, seconds: 1 });
    expect(v.training).toBeNull();
    expect(v.curve?.lengthRatio).toBe(1.1);
    expect(v.scans.linear).toBeDefined();
    v = interpDecodeRequested(v, 'bezier', 8);
    expect(applyInterpMessage(v, { type: 'pathDecoded', requestId: 7, kind: 'bezier', tau: 0.2, ids: [1], pieces: ['x'], loss: 1, correct: 0 }).decoded).toEqual({});
    expect(applyInterpMessage(v, { type: 'pathDecoded', requestId: 8, kind: 'bezier', tau: 0.2, ids: [1], pieces: ['x'], loss: 1, correct: 0 }).decoded.bezier?.tau).toBe(0.2);
  });

  it('a refused pair keeps its reason; a failed scan or training clears its spinner and shows the error; other errors are not ours', () => {
    const v = interpPairRequested(IDLE_INTERP, 3, ['x', 'y']);
    const refused = applyInterpError(v, { type: 'error', op: 'pathPair', requestId: 3, message: 'different models' });
    expect(refused?.pair).toEqual({ state: 'error', ids: ['x', 'y'], message: 'different models' });
    const scanning = interpScanRequested(IDLE_INTERP, 'bezier', 4);
    expect(applyInterpError(scanning, { type: 'error', op: 'pathScan', requestId: 4, message: 'busy' })).toMatchObject({ scanning: null, error: 'busy' });
    expect(applyInterpError(scanning, { type: 'error', op: 'start', message: 'x' })).toBeNull();
    // Through the page's reducer.
    const s = { ...initialState(), interp: v };
    expect(applyWorkerMessage(s, paired(3)).interp.pair.state).toBe('ready');
    expect(applyWorkerMessage(s, { type: 'error', op: 'pathPair', requestId: 3, message: 'm' }).interp.pair.state).toBe('error');
  });

  it('settings checks name the field and the allowed range', () => {
    expect(checkField('interpResolution', 1)).toMatch(/scan points must be a whole number from 2/);
    expect(checkField('bezSamples', 0)).toMatch(/tau samples/);
    expect(checkField('interpTau', 1.5)).toMatch(/tau must be/);
    expect(checkField('bezLr', 0.05)).toBeNull();
    expect(bezierSettingsOf(INTERP_DEFAULTS)).toEqual(BEZIER_DEFAULTS);
  });
});
