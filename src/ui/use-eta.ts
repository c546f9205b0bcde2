import { useRef } from 'react';
import { addSample, remainingMs, type EtaSample } from '../util/eta.ts';

/**
 * Time left of a task the page only sees as "done of total" (a model download, a compression's
 * steps), from the page's clock at each render with new progress. `key` identifies the task: a new
 * key starts the estimate again. Paused time is not excluded here; pass `paused` to hold the clock.
 */
export function useEta(key: string, done: number, total: number, paused = false): number | null {
  const state = useRef<{ key: string; samples: EtaSample[]; lastDone: number; pausedMs: number; pausedAt: number | null }>({ key: '', samples: [], lastDone: -1, pausedMs: 0, pausedAt: null });
  const s = state.current;
  const now = performance.now();
  if (s.key !== key) Object.assign(s, { key, samples: [], lastDone: -1, pausedMs: 0, pausedAt: null });
  if (paused && s.pausedAt === null) s.pausedAt = now;
  if (!paused && s.pausedAt !== null) {
    s.pausedMs += now - s.pausedAt;
    s.pausedAt = null;
  }
  if (!paused && done !== s.lastDone && total > 0) {
    s.samples = addSample(s.samples, { t: now - s.pausedMs, done });
    s.lastDone = done;
  }
  return total > 0 ? remainingMs(s.samples, total, 30_000) : null;
}
