import { describe, expect, it } from 'vitest';
import { applyExperimentError, applyExperimentMessage, experimentRequested, IDLE_EXPERIMENTS, throughputRequested } from '../../src/ui/experiments-state.ts';
import { toExperimentSpec, EXPERIMENT_DEFAULTS } from '../../src/ui/experiments-settings.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/url-state.ts';
import { experimentBlocker } from '../../src/ui/experiments-actions.ts';
import { compressBlocker } from '../../src/ui/selectors.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import type { ExperimentProgress, SweepRecord, ThroughputRecord } from '../../src/worker/protocol.ts';

const progress = (phase: ExperimentProgress['phase']): ExperimentProgress => ({
  phase, sweep: 0, sweeps: 1, label: 'capacity', stage: 'train', texts: ['a'], length: 4, attempts: 0, maxAttempts: 3, step: 10, maxSteps: 100, accuracy: 0.5, fraction: 0.1, elapsedMs: 1000, etaMs: 9000,
});
const rec = (text: string) => ({ text }) as unknown as SweepRecord;

describe('the experiments slice', () => {
  it('start → progress → records streamed → done', () => {
    let x = experimentRequested(IDLE_EXPERIMENTS);
    expect(x.phase).toBe('starting');
    x = applyExperimentMessage(x, { type: 'experimentProgress', progress: progress('running') });
    expect(x.phase).toBe('running');
    x = applyExperimentMessage(x, { type: 'experimentProgress', progress: progress('paused') });
    expect(x.phase).toBe('paused');
    x = applyExperimentMessage(x, { type: 'experimentRecords', records: [rec('a')], replace: false });
    x = applyExperimentMessage(x, { type: 'experimentRecords', records: [rec('b')], replace: false });
    expect(x.records.map((r) => r.text)).toEqual(['a', 'b']);
    x = applyExperimentMessage(x, { type: 'experimentDone', end: 'done', message: 'Finished', ran: 2, reused: 0, seconds: 1 });
    expect(x).toMatchObject({ phase: 'done', message: 'Finished' });
    // A late progress report does not revive a finished run.
    expect(applyExperimentMessage(x, { type: 'experimentProgress', progress: progress('running') })).toBe(x);
  });

  it('a listing replaces the records and marks them read', () => {
    const x = applyExperimentMessage({ ...IDLE_EXPERIMENTS, records: [rec('old')] }, { type: 'experimentRecords', records: [rec('a')], replace: true });
    expect(x).toMatchObject({ listed: true, records: [rec('a')] });
  });

  it('errors land where they belong; others are not the slice\'s', () => {
    const failed = applyExperimentError(experimentRequested(IDLE_EXPERIMENTS), { type: 'error', op: 'experimentStart', message: 'no texts' });
    expect(failed).toMatchObject({ phase: 'failed', message: 'no texts' });
    expect(applyExperimentError(IDLE_EXPERIMENTS, { type: 'error', op: 'tokenize', message: 'x' })).toBeNull();
    const measuring = throughputRequested(IDLE_EXPERIMENTS, 'sol.safetensors', 7);
    expect(applyExperimentError(measuring, { type: 'error', op: 'throughput', message: 'damaged', requestId: 6 })).toBe(measuring);
    expect(applyExperimentError(measuring, { type: 'error', op: 'throughput', message: 'damaged', requestId: 7 })!.throughput).toEqual({ state: 'error', name: 'sol.safetensors', message: 'damaged' });
  });

  it('throughput answers are matched by request id and kept', () => {
    const record = { N: 4 } as ThroughputRecord;
    const x = throughputRequested(IDLE_EXPERIMENTS, 's', 3);
    expect(applyExperimentMessage(x, { type: 'throughputMeasured', requestId: 2, name: 's', solutionMethod: 'oneshot', record })).toBe(x);
    const p = applyExperimentMessage(x, { type: 'throughputProgress', requestId: 3, done: 2, total: 4, elapsedMs: 100, etaMs: 200 }, 5000);
    expect(p.throughput).toEqual({ state: 'measuring', name: 's', requestId: 3, progress: { done: 2, total: 4, elapsedMs: 100, etaMs: 200, receivedAt: 5000 } });
    expect(applyExperimentMessage(x, { type: 'throughputProgress', requestId: 9, done: 2, total: 4, elapsedMs: 100, etaMs: 200 })).toBe(x);
    const y = applyExperimentMessage(p, { type: 'throughputMeasured', requestId: 3, name: 's', solutionMethod: 'oneshot', record });
    expect(y.throughput).toEqual({ state: 'done', name: 's' });
    expect(y.measured).toEqual([{ name: 's', solutionMethod: 'oneshot', record }]);
  });

  it('the settings become the worker\'s spec (typed lists parsed, files only for the files source)', () => {
    const files = [{ name: 'a.txt', text: 'hi' }];
    const spec = toExperimentSpec({ ...DEFAULT_SETTINGS, expKind: 'sharing', expLengths: '4, 2', expGroups: '1,4' }, files);
    expect(spec).toMatchObject({ kind: 'sharing', lengths: [2, 4], groups: [1, 4], files: [], lr: DEFAULT_SETTINGS.lr, steps: EXPERIMENT_DEFAULTS.expSteps });
    expect(toExperimentSpec({ ...DEFAULT_SETTINGS, expSource: 'files' }, files).files).toEqual(files);
  });
});

describe('when an experiment can start', () => {
  const ready = { state: 'ready', ref: 'stories260k', info: { fingerprint: 'fp', label: 'stories260k' } } as unknown as LabState['model'];
  it('needs a model, no experiment and no compression running, and a spec that can run', () => {
    const s = initialState();
    expect(experimentBlocker(s)).toBe('Load a model first.');
    expect(experimentBlocker({ ...s, model: ready })).toBeNull();
    expect(experimentBlocker({ ...s, model: ready, run: { ...s.run, phase: 'running' } })).toMatch(/A compression is running/);
    expect(experimentBlocker({ ...s, model: ready, experiments: experimentRequested(s.experiments) })).toMatch(/An experiment is running/);
    expect(experimentBlocker({ ...s, model: ready, settings: { ...s.settings, expKind: 'layouts' } })).toMatch(/fixed lengths: give them/);
  });

  it('and a compression cannot start while an experiment runs', () => {
    const s = initialState();
    expect(compressBlocker({ ...s, model: ready, experiments: experimentRequested(s.experiments) })).toMatch(/An experiment is running \(Experiments view\)/);
  });
});
