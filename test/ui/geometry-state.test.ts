import { describe, expect, it } from 'vitest';
import { DEFAULT_GEOMETRY } from '../../src/geometry/experiment-types.ts';
import { applyGeometryMessage, geometryRequested, IDLE_GEOMETRY, keepFinished, keepRequested } from '../../src/ui/geometry-state.ts';

describe('geometry view: the "kept in the library" status', () => {
  const done = () => applyGeometryMessage(applyGeometryMessage(geometryRequested(IDLE_GEOMETRY, { ...DEFAULT_GEOMETRY }), { type: 'geometryProgress', progress: { phase: 'generate', done: 0, total: 1, unit: 'texts', elapsedMs: 0, phaseLeftMs: null } }), { type: 'geometryDone', stoppedBy: 'done', seconds: 1 });

  it('goes saving, then done with the summary', () => {
    const saving = keepRequested(done(), 1);
    expect(saving.keep).toEqual({ state: 'saving', id: 1, text: 'keeping…' });
    expect(keepFinished(saving, 1, true, '6 solutions kept').keep).toEqual({ state: 'done', text: '6 solutions kept' });
    expect(keepFinished(saving, 1, false, 'no model').keep).toEqual({ state: 'error', text: 'no model' });
  });

  it('a new run clears it: the message was about the results the run replaces', () => {
    const kept = keepFinished(keepRequested(done(), 1), 1, true, '6 solutions kept');
    expect(geometryRequested(kept, { ...DEFAULT_GEOMETRY }).keep).toBeNull();
    const failed = keepFinished(keepRequested(done(), 1), 1, false, 'refused');
    expect(geometryRequested(failed, { ...DEFAULT_GEOMETRY }).keep).toBeNull();
  });

  it('a keep that ends after a new run started says nothing about the new results', () => {
    const restarted = geometryRequested(keepRequested(done(), 1), { ...DEFAULT_GEOMETRY });
    expect(keepFinished(restarted, 1, true, '6 solutions kept')).toBe(restarted);
  });

  it("a keep that ends after a new run and its own keep started takes neither the new keep's place nor its outcome", () => {
    // Keep #1 of the first results; a new run; keep #2 of its results; then #1 ends, then #2.
    const first = keepRequested(done(), 1);
    const second = keepRequested(applyGeometryMessage(geometryRequested(first, { ...DEFAULT_GEOMETRY }), { type: 'geometryDone', stoppedBy: 'done', seconds: 1 }), 2);
    const late = keepFinished(second, 1, true, '6 solutions kept');
    expect(late).toBe(second);
    expect(late.keep).toEqual({ state: 'saving', id: 2, text: 'keeping…' });
    expect(keepFinished(late, 2, false, 'refused').keep).toEqual({ state: 'error', text: 'refused' });
    expect(keepFinished(late, 2, true, '3 solutions kept').keep).toEqual({ state: 'done', text: '3 solutions kept' });
  });
});
