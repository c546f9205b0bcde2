import { describe, expect, it } from 'vitest';
import { applyEncoderEvalError, applyEncoderEvalMessage, encoderEvalActive, encoderEvalRefused, encoderEvalRequested, IDLE_ENCODER_EVAL } from '../../src/ui/encoder-eval-state.ts';
import { applyWorkerMessage } from '../../src/ui/reducers.ts';
import { encoderEvalBlocker, experimentBlocker } from '../../src/ui/experiments-actions.ts';
import { toEncoderEvalSpec } from '../../src/ui/experiments-settings.ts';
import { pageJob } from '../../src/ui/selectors.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/url-state.ts';
import { checkEncoderEvalSpec } from '../../src/shared/encoder-eval-spec.ts';
import { transferablesOf, type EncoderEvalMeasured, type EncoderEvalProgress, type FromWorker } from '../../src/worker/protocol.ts';

// The Experiments view's encoder measurement on the page side: its reducers, its place in the
// one-job rule, its spec from the settings, and its messages.

const PROGRESS: EncoderEvalProgress = { stage: 'warm-start', step: 20, maxSteps: 100, solved: 1, runs: 6, phase: 'running', fraction: 0.28, elapsedMs: 900, etaMs: 2000 };
const MEASURED: EncoderEvalMeasured = {
  name: 'enc.safetensors',
  seconds: 3,
  stopped: false,
  result: {
    source: 'pg19',
    length: 8,
    texts: 3,
    zeroShot: { mean: 0.5, sd: 0.1, min: 0.375, max: 0.625 },
    warmStart: { budget: 100, seeds: 1, encoder: { solved: 3, items: 3, median: 10, q1: 10, q3: 20 }, normal: { solved: 3, items: 3, median: 40, q1: 30, q3: 50 }, medianRatio: 0.25 },
  },
};

describe('encoder measurement state', () => {
  it('requested → progress → done keeps the result; answers to another request are ignored', () => {
    const v1 = encoderEvalRequested(IDLE_ENCODER_EVAL, 'enc.safetensors', 4);
    expect(encoderEvalActive(v1)).toBe(true);
    expect(applyEncoderEvalMessage(v1, { type: 'encoderEvalProgress', requestId: 3, progress: PROGRESS })).toBe(v1);
    const v2 = applyEncoderEvalMessage(v1, { type: 'encoderEvalProgress', requestId: 4, progress: PROGRESS });
    expect(v2.run).toMatchObject({ state: 'measuring', progress: PROGRESS });
    const v3 = applyEncoderEvalMessage(v2, { type: 'encoderEvalDone', requestId: 4, end: 'done', message: 'Measured.', measured: MEASURED });
    expect(v3).toEqual({ run: { state: 'done', name: 'enc.safetensors', message: 'Measured.' }, measured: [MEASURED] });
    expect(encoderEvalActive(v3)).toBe(false);
    // A late report after the end does not revive it.
    expect(applyEncoderEvalMessage(v3, { type: 'encoderEvalProgress', requestId: 4, progress: PROGRESS })).toBe(v3);
  });

  it('a failure keeps no row; a cancel keeps its zero-shot row', () => {
    const v1 = encoderEvalRequested(IDLE_ENCODER_EVAL, 'x', 1);
    expect(applyEncoderEvalMessage(v1, { type: 'encoderEvalDone', requestId: 1, end: 'failed', message: 'x: not an encoder', measured: null })).toEqual({ run: { state: 'failed', name: 'x', message: 'x: not an encoder' }, measured: [] });
    const cancelled = { ...MEASURED, stopped: true, result: { ...MEASURED.result, warmStart: null } };
    expect(applyEncoderEvalMessage(v1, { type: 'encoderEvalDone', requestId: 1, end: 'cancelled', message: 'Cancelled.', measured: cancelled }).measured).toEqual([cancelled]);
    expect(encoderEvalRefused(IDLE_ENCODER_EVAL, 'big', 'too big').run).toEqual({ state: 'failed', name: 'big', message: 'too big' });
  });

  it("the worker's refusal of its request ends it; others' errors do not", () => {
    const v1 = encoderEvalRequested(IDLE_ENCODER_EVAL, 'x', 5);
    expect(applyEncoderEvalError(v1, { type: 'error', op: 'encoderEval', requestId: 6, message: 'no' })).toBe(v1);
    expect(applyEncoderEvalError(v1, { type: 'error', op: 'encoderEval', requestId: 5, message: 'busy' }).run).toEqual({ state: 'failed', name: 'x', message: 'busy' });
  });

  it('the lab reducer routes the messages and the refusal into the experiments slice', () => {
    const s0 = initialState();
    const s1: LabState = { ...s0, experiments: { ...s0.experiments, encoderEval: encoderEvalRequested(s0.experiments.encoderEval, 'x', 2) } };
    const s2 = applyWorkerMessage(s1, { type: 'encoderEvalProgress', requestId: 2, progress: PROGRESS } as FromWorker);
    expect(s2.experiments.encoderEval.run).toMatchObject({ progress: PROGRESS });
    const s3 = applyWorkerMessage(s1, { type: 'error', op: 'encoderEval', requestId: 2, message: 'An experiment is running' });
    expect(s3.experiments.encoderEval.run).toMatchObject({ state: 'failed' });
    expect(s3.error).toBeNull();
  });
});

describe('when an encoder can be measured', () => {
  const ready = { state: 'ready', ref: 'stories260k', info: { fingerprint: 'fp', label: 'stories260k' } } as unknown as LabState['model'];

  it("it holds the experiment's place: nothing else starts meanwhile, and it waits for other jobs", () => {
    const s = { ...initialState(), model: ready };
    expect(encoderEvalBlocker({ ...s, model: initialState().model })).toBe('Load a model first.');
    expect(encoderEvalBlocker(s)).toBeNull();
    expect(encoderEvalBlocker({ ...s, run: { ...s.run, phase: 'running' } })).toMatch(/A compression is running/);
    const measuring: LabState = { ...s, experiments: { ...s.experiments, encoderEval: encoderEvalRequested(s.experiments.encoderEval, 'x', 1) } };
    expect(pageJob(measuring)).toBe('experiment');
    expect(experimentBlocker(measuring)).toMatch(/An experiment is running/);
    expect(encoderEvalBlocker(measuring)).toMatch(/An experiment is running/);
    expect(encoderEvalBlocker({ ...s, settings: { ...s.settings, expSource: 'files' } })).toMatch(/"files" source has no texts/);
  });

  it("the spec: the form's texts, seeds and budget, the Compress view's lr and layout, files only for the files source", () => {
    const files = [{ name: 'a.txt', text: 'hi' }];
    const spec = toEncoderEvalSpec({ ...DEFAULT_SETTINGS, expTexts: 7, expSeeds: 3, expSteps: 50, expWarmStart: true }, files);
    expect(spec).toEqual({ source: DEFAULT_SETTINGS.expSource, files: [], texts: 7, seeds: 3, textSeed: 0, steps: 50, lr: DEFAULT_SETTINGS.lr, layout: DEFAULT_SETTINGS.layout, firstTarget: DEFAULT_SETTINGS.firstTarget, warmStart: true });
    expect(toEncoderEvalSpec({ ...DEFAULT_SETTINGS, expSource: 'files' }, files).files).toEqual(files);
    expect(checkEncoderEvalSpec(spec)).toEqual([]);
    expect(checkEncoderEvalSpec({ ...spec, seeds: 65 })).toEqual(['Seeds must be a whole number from 1 to 64.']);
    expect(checkEncoderEvalSpec({ ...spec, warmStart: 'yes' as never })).toEqual(['Warm start must be true or false.']);
  });

  it('the file is transferred to the worker, not copied', () => {
    const bytes = new ArrayBuffer(8);
    expect(transferablesOf({ type: 'encoderEval', requestId: 1, bytes, name: 'e', spec: toEncoderEvalSpec(DEFAULT_SETTINGS, []) })).toEqual([bytes]);
  });
});
