import { describe, expect, it } from 'vitest';
import { experimentBlocker } from '../../src/ui/experiments-actions.ts';
import { geometryBlocker } from '../../src/ui/geometry-actions.ts';
import { compressBlocker, jobBlocker, pageJob } from '../../src/ui/selectors.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { jobBusyMessage, type JobKind } from '../../src/shared/jobs.ts';

const ready = { state: 'ready', ref: 'stories260k', info: { fingerprint: 'fp', label: 'stories260k' } } as unknown as LabState['model'];
const idle: LabState = { ...initialState(), model: ready, settings: { ...initialState().settings, text: 'abcd' }, tokens: { pendingId: 1, pendingText: 'abcd', error: null, current: { text: 'abcd', ids: [1, 2], pieces: ['ab', 'cd'], maxTokens: 10, tooLong: false } } };

/** The page's state while `kind` runs. */
function running(kind: JobKind): LabState {
  const s = idle;
  switch (kind) {
    case 'compress':
      return { ...s, run: { ...s.run, phase: 'running' } };
    case 'experiment':
      return { ...s, experiments: { ...s.experiments, phase: 'running' } };
    case 'throughput':
      return { ...s, experiments: { ...s.experiments, throughput: { state: 'measuring', name: 'sol.safetensors', requestId: 3 } } };
    case 'geometry':
      return { ...s, geometry: { ...s.geometry, phase: 'running' } };
    case 'scan':
      return { ...s, interp: { ...s.interp, scanning: { kind: 'linear', requestId: 1 } } };
    case 'train':
      return { ...s, interp: { ...s.interp, training: { requestId: 2, steps: 10, points: [], elapsedMs: 0 } } };
  }
}

const KINDS: JobKind[] = ['compress', 'experiment', 'throughput', 'geometry', 'scan', 'train'];
/** Every start the page offers: compress, experiment, geometry; scans, training, throughput and resume ask jobBlocker itself. */
const BLOCKERS = { compressBlocker, experimentBlocker, geometryBlocker, jobBlocker };

describe('one selector decides whether a long job can start', () => {
  it('nothing runs: no job blocks', () => {
    expect(pageJob(idle)).toBeNull();
    for (const [name, blocker] of Object.entries(BLOCKERS)) expect(blocker(idle), name).toBeNull();
  });

  it.each(KINDS)('while %s runs every start says so, in the words the worker uses', (kind) => {
    const s = running(kind);
    expect(pageJob(s)).toBe(kind);
    for (const [name, blocker] of Object.entries(BLOCKERS)) expect(blocker(s), `${name} while ${kind} runs`).toBe(jobBusyMessage(kind));
  });

  it('a stopping compression or geometry run still holds the engine', () => {
    expect(compressBlocker({ ...idle, run: { ...idle.run, phase: 'stopping' } })).toBe(jobBusyMessage('compress'));
    expect(experimentBlocker({ ...idle, geometry: { ...idle.geometry, phase: 'stopping' } })).toBe(jobBusyMessage('geometry'));
  });
});
