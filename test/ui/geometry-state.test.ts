import { describe, expect, it } from 'vitest';
import { DEFAULT_GEOMETRY } from '../../src/geometry/experiment-types.ts';
import { applyGeometryMessage, geometryRequested, IDLE_GEOMETRY, keepFinished, keepRequested } from '../../src/ui/geometry-state.ts';

describe('geometry view: the "kept in the library" status', () => {
  const done = () => applyGeometryMessage(applyGeometryMessage(geometryRequested(IDLE_GEOMETRY, { ...DEFAULT_GEOMETRY }), { type: 'geometryProgress', progress: { phase: 'generate', done: 0, total: 1, unit: 'texts', elapsedMs: 0, phaseLeftMs: null } }), { type: 'geometryDone', stoppedBy: 'done', seconds: 1 });

  it('goes saving, then done with the summary', () => {
    const saving = keepRequested(done());
    expect(saving.keep).toEqual({ state: 'saving', text: 'keeping…' });
    expect(keepFinished(saving, true, '6 of 6 solutions kept').keep).toEqual({ state: 'done', text: '6 of 6 solutions kept' });
    expect(keepFinished(saving, false, 'no model').keep).toEqual({ state: 'error', text: 'no model' });
  });

  it('a new run clears it: the message was about the results the run replaces', () => {
    const kept = keepFinished(keepRequested(done()), true, '6 of 6 solutions kept');
    expect(geometryRequested(kept, { ...DEFAULT_GEOMETRY }).keep).toBeNull();
    const failed = keepFinished(keepRequested(done()), false, 'refused');
    expect(geometryRequested(failed, { ...DEFAULT_GEOMETRY }).keep).toBeNull();
  });

  it('a keep that ends after a new run started says nothing about the new results', () => {
    const restarted = geometryRequested(keepRequested(done()), { ...DEFAULT_GEOMETRY });
    expect(keepFinished(restarted, true, '6 of 6 solutions kept')).toBe(restarted);
  });
});
