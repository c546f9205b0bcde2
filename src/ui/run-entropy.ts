/**
 * The text's H_LM for the capacity bar: asked of the worker once per run with the protocol's
 * 'evaluate' request (one ordinary forward pass over the ids shared/text-entropy.ts names, the
 * sweep's rule), and kept in the run's view. It watches the store rather than the Compress button,
 * so a run started any way (Compress, Step, a resume from the library) gets it.
 */
import type { EngineClient } from '../worker/client.ts';
import { entropyInput } from '../shared/text-entropy.ts';
import { runActive, type LabState } from './state.ts';
import { apply, type LabStore } from './store.ts';

/** The worker's H_LM for the run of `ids`; dropped when another run has started meanwhile. */
export function runEntropyKnown(s: LabState, ids: readonly number[], hLm: number): LabState {
  if (s.run.ids !== ids || s.run.hLm === hLm) return s;
  return { ...s, run: { ...s.run, hLm } };
}

/** The request a run still needs, or null (none running, already known, no model to ask). */
export function entropyRequest(s: LabState): number[] | null {
  if (!runActive(s.run.phase) || s.run.hLm !== null || s.run.ids.length === 0 || s.model.state !== 'ready') return null;
  const { spec } = s.model.info;
  return entropyInput(s.run.ids, spec.bosTokenId, spec.maxPositions).ids;
}

/** Starts watching; returns the unsubscribe function. */
export function watchRunEntropy(store: LabStore, client: Pick<EngineClient, 'request'>): () => void {
  // The run (its ids array, one per run) last asked for: a progress report must not ask again.
  let asked: readonly number[] | null = null;
  const check = (s: LabState) => {
    if (s.run.ids === asked) return;
    const ids = entropyRequest(s);
    if (!ids) return;
    const runIds = s.run.ids;
    asked = runIds;
    // nll sums exactly the scored next tokens: entropyInput chose which ones.
    client.request({ type: 'evaluate', ids }).then(
      (r) => apply(store, runEntropyKnown, runIds, r.hLm),
      // The worker's error also reaches the page's banner; the bar says H_LM is not known.
      () => undefined,
    );
  };
  check(store.getState());
  return store.subscribe((s) => check(s));
}
