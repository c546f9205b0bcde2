import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { elapsedAt, ThroughputPanel } from '../../src/ui/components/experiments/ThroughputPanel.tsx';
import { ActionsContext } from '../../src/ui/context.ts';
import { formatDuration } from '../../src/ui/format.ts';
import type { LabActions } from '../../src/ui/lab.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { createLabStore, setAppStore } from '../../src/ui/store.ts';

const ready = { state: 'ready', ref: 'stories260k', info: { fingerprint: 'fp', label: 'stories260k' } } as unknown as LabState['model'];

function render(progress: { done: number; total: number; elapsedMs: number; etaMs: number | null; receivedAt: number }): string {
  const s = initialState();
  setAppStore(createLabStore({ ...s, model: ready, experiments: { ...s.experiments, throughput: { state: 'measuring', name: 'sol.safetensors', requestId: 1, progress } } }));
  // React marks text boundaries with empty comments; the reader sees none.
  return renderToString(createElement(ActionsContext.Provider, { value: {} as LabActions }, createElement(ThroughputPanel))).replaceAll('<!-- -->', '');
}

describe('throughput progress on the page', () => {
  it("shows the worker's elapsed time and time left, estimating neither itself", () => {
    // 2 of 4 done in 90 s: the worker says 90 s elapsed and 90 s left, and so must the page.
    const html = render({ done: 2, total: 4, elapsedMs: 90_000, etaMs: 90_000, receivedAt: performance.now() });
    expect(html).toContain(`elapsed ${formatDuration(90_000)}`);
    expect(html).toContain(`about ${formatDuration(90_000)} left`);
  });

  it("counts on from the worker's elapsed time while no new message comes, not standing still", () => {
    // The worker said 90 s elapsed in a message that arrived 5 s ago: 95 s have elapsed now.
    const html = render({ done: 2, total: 4, elapsedMs: 90_000, etaMs: 90_000, receivedAt: performance.now() - 5_000 });
    expect(html).toContain(`elapsed ${formatDuration(95_000)}`);
    expect(elapsedAt({ elapsedMs: 90_000, receivedAt: 1_000 }, 6_000)).toBe(95_000);
    // A render before the message's arrival time (a stale tick) shows the worker's own value.
    expect(elapsedAt({ elapsedMs: 90_000, receivedAt: 1_000 }, 500)).toBe(90_000);
  });
});
