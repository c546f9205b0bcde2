import { describe, expect, it } from 'vitest';
import { applyWorkerMessage, applyWorkerMessages, modelLoading, runRequested, solutionRequested, tokenizeRequested, updateSettings } from '../../src/ui/reducers.ts';
import { initialState, runActive, type LabState } from '../../src/ui/state.ts';
import { compressBlocker } from '../../src/ui/selectors.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/url-state.ts';
import { type FromWorker } from '../../src/worker/protocol.ts';
import { jobBusyMessage } from '../../src/shared/jobs.ts';
import { READY, TOKENS, TOKENS_VIEW, progress } from './fixtures.ts';

const run = (s: LabState, ...msgs: FromWorker[]) => applyWorkerMessages(s, msgs);

function readyWithText(): LabState {
  let s = modelLoading(initialState(), 'stories260k', 'stories260k');
  s = run(s, READY);
  s = updateSettings(s, { text: 'abcd' });
  s = tokenizeRequested(s, 3, 'abcd');
  return run(s, { type: 'tokens', requestId: 3, ...TOKENS });
}

describe('settings', () => {
  it('applies valid fields and ignores invalid ones', () => {
    const s0 = initialState();
    const s1 = updateSettings(s0, { maxSteps: 300, lr: -1, seed: 2.5, layout: 'e*N' });
    expect(s1.settings).toEqual({ ...DEFAULT_SETTINGS, maxSteps: 300, layout: 'e*N' });
    expect(s0.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('takes a weight format or auto, and refuses other words', () => {
    const s0 = initialState();
    expect(updateSettings(s0, { weights: 'q8' }).settings.weights).toBe('q8');
    expect(updateSettings(s0, { weights: 'auto' }).settings.weights).toBe('auto');
    expect(updateSettings(s0, { weights: 'q3' as never })).toBe(s0);
    expect(updateSettings(s0, { weights: 'checkpoint' })).toBe(s0);
  });

  it('returns the same state when nothing changes', () => {
    const s0 = initialState();
    expect(updateSettings(s0, { maxSteps: DEFAULT_SETTINGS.maxSteps })).toBe(s0);
    expect(updateSettings(s0, { lr: 0 })).toBe(s0);
  });
});

describe('model loading', () => {
  it('goes loading → progress → ready and records the model in the settings', () => {
    let s = modelLoading(initialState(), 'stories260k', 'stories260k');
    expect(s.settings.model).toBe('stories260k');
    expect(s.model).toMatchObject({ state: 'loading', phase: 'start' });
    s = run(s, { type: 'modelProgress', label: 'stories260k', phase: 'download', file: 'model.safetensors', loaded: 10, total: 100 });
    expect(s.model).toMatchObject({ state: 'loading', phase: 'download', loaded: 10, total: 100 });
    s = run(s, READY);
    expect(s.model).toEqual({ state: 'ready', ref: 'stories260k', info: READY });
  });

  it('a load error lands on the model', () => {
    const s = run(modelLoading(initialState(), 'hf:a/b@main', 'a/b@main'), { type: 'error', op: 'loadModel', message: 'the Hub refused a/b' });
    expect(s.model).toEqual({ state: 'error', ref: 'hf:a/b@main', label: 'a/b@main', message: 'the Hub refused a/b' });
  });
});

describe('tokens', () => {
  it('keeps only the answer to the latest request', () => {
    let s = tokenizeRequested(initialState(), 2, 'abcd');
    s = run(s, { type: 'tokens', requestId: 1, ...TOKENS, ids: [9] });
    expect(s.tokens.current).toBeNull();
    s = run(s, { type: 'tokens', requestId: 2, ...TOKENS });
    expect(s.tokens.current).toEqual(TOKENS_VIEW);
  });

  it('Compress is blocked until the tokens of the current text are in, and for over-long texts', () => {
    let s = readyWithText();
    expect(compressBlocker(s)).toBeNull();
    s = updateSettings(s, { text: 'abcde' });
    expect(compressBlocker(s)).toBe('Tokenizing…');
    s = tokenizeRequested(s, 4, 'abcde');
    s = run(s, { type: 'tokens', requestId: 4, ...TOKENS, ids: Array(600).fill(5), pieces: Array(600).fill('a'), tooLong: true });
    expect(compressBlocker(s)).toMatch(/600 tokens.*at most 512/);
    expect(compressBlocker(initialState())).toBe('Load a model first.');
  });
});

describe('a run', () => {
  it('starting → progress → paused → progress of a single step → done', () => {
    let s = readyWithText();
    s = runRequested(s, s.tokens.current!, 'stories260k');
    expect(s.run).toMatchObject({ phase: 'starting', ids: TOKENS.ids, text: 'abcd', modelLabel: 'stories260k', points: [] });
    expect(runActive(s.run.phase)).toBe(true);
    expect(compressBlocker(s)).toBe(jobBusyMessage('compress'));
    s = run(s, { type: 'runState', phase: 'running', step: 0 }, progress(10, 1), progress(20, 2));
    expect(s.run.phase).toBe('running');
    expect(s.run.points.map((p) => p.step)).toEqual([10, 20]);
    expect(s.run.points[1]).toEqual({ step: 20, loss: 0.5, bestLoss: 0.45, accuracy: 0.5, bestAccuracy: 0.5 });
    s = run(s, { type: 'runState', phase: 'paused', step: 20 }, progress(21, 3));
    expect(s.run.phase).toBe('paused');
    expect(s.run.latest?.step).toBe(21);
    const bytes = new ArrayBuffer(8);
    s = run(s, { type: 'runState', phase: 'running', step: 21 }, progress(30, 4), {
      type: 'done',
      solution: bytes,
      fileName: 'stories260k-4tok-seed0.safetensors',
      meta: null,
      decodedIds: TOKENS.ids,
      decodedText: 'abcd',
      stoppedBy: 'solved',
      steps: 28,
      seconds: 0.6,
    });
    expect(s.run.phase).toBe('done');
    expect(s.run.result?.solution).toBe(bytes);
    expect(runActive(s.run.phase)).toBe(false);
    // Late messages of a finished run change nothing.
    expect(run(s, progress(40, 4), { type: 'runState', phase: 'paused', step: 40 })).toBe(s);
  });

  it('keeps one chart point per step', () => {
    let s = readyWithText();
    s = runRequested(s, s.tokens.current!, 'm');
    s = run(s, progress(10, 1), progress(20, 2), progress(20, 2));
    expect(s.run.points.map((p) => p.step)).toEqual([10, 20]);
  });

  it('a failed start returns to idle with the message', () => {
    let s = readyWithText();
    s = runRequested(s, s.tokens.current!, 'm');
    s = run(s, { type: 'error', op: 'start', message: 'A compression is already running: stop it first.' });
    expect(s.run).toMatchObject({ phase: 'idle', error: 'A compression is already running: stop it first.' });
  });

  it('a lost device ends the run and shows the model reloading on a new device, then ready again', () => {
    let s = readyWithText();
    const ready = s.model;
    s = runRequested(s, s.tokens.current!, 'm');
    s = run(s, progress(10, 1), { type: 'deviceLost', reason: 'unknown: reset' });
    expect(s.run.phase).toBe('done');
    expect(s.run.error).toMatch(/lost.*resumes from its last checkpoint/);
    expect(s.model.state).toBe('loading');
    expect(s.deviceLost).toBe('unknown: reset');
    expect(compressBlocker(s)).not.toBeNull();
    if (ready.state !== 'ready') throw new Error('fixture model not ready');
    s = run(s, ready.info);
    expect(s.model.state).toBe('ready');
  });
});

describe('solutions', () => {
  const decoded: Extract<FromWorker, { type: 'decoded' }> = {
    type: 'decoded',
    requestId: 9,
    name: 'x.safetensors',
    meta: {} as never,
    ids: [5],
    pieces: ['a'],
    text: 'a',
    cTokens: 1,
  };

  it('shows the answer to the pending request only', () => {
    let s = solutionRequested(initialState(), 'x.safetensors', 9);
    expect(run(s, { ...decoded, requestId: 8 })).toBe(s);
    s = run(s, decoded);
    expect(s.solution).toEqual({ state: 'ready', decoded });
  });

  it('an error for the pending request lands on the solution panel, others on the banner', () => {
    const s = solutionRequested(initialState(), 'x.safetensors', 9);
    expect(run(s, { type: 'error', op: 'decode', requestId: 9, message: 'made with another model' }).solution).toEqual({
      state: 'error',
      name: 'x.safetensors',
      message: 'made with another model',
    });
    expect(run(s, { type: 'error', op: 'pause', message: 'Nothing is running to pause.' }).error).toBe('Nothing is running to pause.');
  });

  it('ignores evaluate answers (they go to their promise)', () => {
    const s = initialState();
    expect(applyWorkerMessage(s, { type: 'evaluated', requestId: 1, ids: [1], nll: [], argmax: [2], hLm: 0 })).toBe(s);
  });
});
