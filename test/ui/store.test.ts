import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apply, applyTo, batchedDispatcher, createLabStore } from '../../src/ui/store.ts';
import { libraryNotice } from '../../src/ui/library-state.ts';
import { ROOT, sourceFiles } from '../helpers/imports.ts';
import { modelLoading, updateSettings } from '../../src/ui/reducers.ts';
import { READY, progress } from './fixtures.ts';
import { runRequested } from '../../src/ui/reducers.ts';

describe('the lab store', () => {
  it('notifies subscribers on a change and not on a no-op', () => {
    const store = createLabStore();
    const seen = vi.fn();
    store.subscribe(seen);
    apply(store, updateSettings, { maxSteps: store.getState().settings.maxSteps });
    expect(seen).not.toHaveBeenCalled();
    apply(store, updateSettings, { maxSteps: 123 });
    expect(seen).toHaveBeenCalledTimes(1);
    expect(store.getState().settings.maxSteps).toBe(123);
  });

  it('applies a slice reducer to its slice only, and a no-op notifies nobody', () => {
    const store = createLabStore();
    const before = store.getState();
    const seen = vi.fn();
    store.subscribe(seen);
    applyTo(store, 'library', (l) => l);
    expect(seen).not.toHaveBeenCalled();
    applyTo(store, 'library', libraryNotice, 'disk full');
    expect(seen).toHaveBeenCalledTimes(1);
    expect(store.getState().library).not.toBe(before.library);
    expect(store.getState().settings).toBe(before.settings);
  });

  it('is changed only through reducers: no setState outside store.ts', () => {
    const direct = sourceFiles(join(ROOT, 'src', 'ui'))
      .filter((f) => !f.endsWith(join('ui', 'store.ts')))
      .filter((f) => /\bsetState\(/u.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(direct).toEqual([]);
  });

  it('batches progress reports into one update and keeps the order with other messages', () => {
    const store = createLabStore();
    apply(store, modelLoading, 'stories260k', 'stories260k');
    apply(store, runRequested, { text: 'abcd', ids: [5, 6, 7, 8], pieces: ['a', 'b', 'c', 'd'], maxTokens: 512, tooLong: false }, 'stories260k');
    let pending: (() => void) | null = null;
    const timers = { set: (fn: () => void) => ((pending = fn), 1), clear: () => (pending = null) };
    const dispatch = batchedDispatcher(store, 100, timers);
    const updates = vi.fn();
    store.subscribe(updates);

    dispatch(progress(10, 1));
    dispatch(progress(20, 2));
    expect(updates).not.toHaveBeenCalled();
    expect(pending).not.toBeNull();
    (pending as unknown as () => void)();
    expect(updates).toHaveBeenCalledTimes(1);
    expect(store.getState().run.points.map((p) => p.step)).toEqual([10, 20]);

    // A non-progress message flushes the held reports first.
    dispatch(progress(30, 3));
    dispatch({ type: 'runState', phase: 'paused', step: 30 });
    expect(store.getState().run.latest?.step).toBe(30);
    expect(store.getState().run.phase).toBe('paused');
    expect(pending).toBeNull();

    dispatch(READY);
    expect(store.getState().model.state).toBe('ready');
  });
});
