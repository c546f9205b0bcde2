/** The one zustand store of the lab: LabState, changed only through the pure reducers. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FromWorker } from '../worker/protocol.ts';
import { applyWorkerMessage, applyWorkerMessages } from './reducers.ts';
import { initialState, type LabState } from './state.ts';

export type LabStore = StoreApi<LabState>;

export function createLabStore(init: LabState = initialState()): LabStore {
  return createStore<LabState>()(() => init);
}

/** Runs a reducer on the store's state; no-op reducers (same object back) notify nobody. */
export function apply<A extends unknown[]>(store: LabStore, reducer: (s: LabState, ...args: A) => LabState, ...args: A): void {
  const s = store.getState();
  const next = reducer(s, ...args);
  if (next !== s) store.setState(next, true);
}

/**
 * Runs a reducer of one slice of the state (library, experiments, geometry, interp: the pure
 * reducers of library-state.ts and its siblings) on the store; a no-op notifies nobody.
 */
export function applyTo<K extends keyof LabState, A extends unknown[]>(store: LabStore, key: K, reducer: (x: LabState[K], ...args: A) => LabState[K], ...args: A): void {
  apply(store, (s: LabState) => {
    const next = reducer(s[key], ...args);
    return next === s[key] ? s : { ...s, [key]: next };
  });
}

export function dispatchWorkerMessage(store: LabStore, msg: FromWorker): void {
  apply(store, applyWorkerMessage, msg);
}

/**
 * Routes worker messages into the store, holding progress reports back and applying them together at
 * most every `everyMs`, so a fast run (or a report interval of 1) cannot flood the main thread with
 * renders. Any other message first flushes what is held, so the order is kept.
 */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

// Arrow functions: a bare setTimeout called as a method of another object throws "Illegal invocation".
const GLOBAL_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function batchedDispatcher(store: LabStore, everyMs = 100, timers: Timers = GLOBAL_TIMERS): (msg: FromWorker) => void {
  let held: FromWorker[] = [];
  let timer: unknown = null;
  const flush = () => {
    if (timer !== null) timers.clear(timer);
    timer = null;
    if (held.length === 0) return;
    const msgs = held;
    held = [];
    apply(store, applyWorkerMessages, msgs);
  };
  return (msg: FromWorker) => {
    if (msg.type === 'progress') {
      held.push(msg);
      timer ??= timers.set(flush, everyMs);
      return;
    }
    flush();
    dispatchWorkerMessage(store, msg);
  };
}

let appStore: LabStore | null = null;

/** The page's store (created by lab.ts at start-up). */
export function setAppStore(store: LabStore): void {
  appStore = store;
}

export function useLab<T>(selector: (s: LabState) => T): T {
  if (!appStore) throw new Error('The lab store is not set up yet (lab.ts must run first).');
  return useStore(appStore, selector);
}
