import { describe, expect, it } from 'vitest';
import { entropyRequest, runEntropyKnown, watchRunEntropy } from '../../src/ui/run-entropy.ts';
import { applyWorkerMessages, modelLoading, runRequested } from '../../src/ui/reducers.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { apply, createLabStore } from '../../src/ui/store.ts';
import type { FromWorker } from '../../src/worker/protocol.ts';
import { READY, TOKENS_VIEW, progress } from './fixtures.ts';

// The capacity bar's H_LM: asked once per run (after BOS: stories260k has one), kept for that run only.

function ready(): LabState {
  return applyWorkerMessages(modelLoading(initialState(), 'stories260k', 'stories260k'), [READY]);
}

describe('run entropy', () => {
  it('a run needs one request, on BOS and its ids; none before a run or once known', () => {
    const s0 = ready();
    expect(entropyRequest(s0)).toBeNull();
    const s1 = runRequested(s0, TOKENS_VIEW, 'stories260k');
    expect(s1.run.hLm).toBeNull();
    expect(entropyRequest(s1)).toEqual([1, 5, 6, 7, 8]);
    const s2 = runEntropyKnown(s1, s1.run.ids, 12.5);
    expect(s2.run.hLm).toBe(12.5);
    expect(entropyRequest(s2)).toBeNull();
  });

  it("an answer for an earlier run is dropped, and a new run starts without the old one's H_LM", () => {
    const s1 = runRequested(ready(), TOKENS_VIEW, 'stories260k');
    const s2 = runRequested(runEntropyKnown(s1, s1.run.ids, 3), { ...TOKENS_VIEW, ids: [...TOKENS_VIEW.ids] }, 'stories260k');
    expect(s2.run.hLm).toBeNull();
    expect(runEntropyKnown(s2, s1.run.ids, 3)).toBe(s2);
  });

  it('the watcher asks once per run, however many reports arrive, and stores the answer', async () => {
    const store = createLabStore(ready());
    const asked: number[][] = [];
    const answers: ((hLm: number) => void)[] = [];
    const client = {
      request: ((msg: { type: 'evaluate'; ids: number[] }) => {
        asked.push(msg.ids);
        return new Promise((resolve) => answers.push((hLm) => resolve({ type: 'evaluated', requestId: 1, ids: msg.ids, nll: [], argmax: [], hLm })));
      }) as never,
    };
    const stop = watchRunEntropy(store, client);
    apply(store, runRequested, TOKENS_VIEW, 'stories260k');
    apply(store, applyWorkerMessages, [progress(1, 1), progress(2, 2)] as FromWorker[]);
    expect(asked).toEqual([[1, 5, 6, 7, 8]]);
    answers[0](9.25);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getState().run.hLm).toBe(9.25);
    stop();
  });
});
