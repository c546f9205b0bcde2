import { describe, expect, it } from 'vitest';
import { summaryOf } from '../../src/library/records.ts';
import {
  decodedSet,
  importFinished,
  importStarted,
  INITIAL_LIBRARY,
  libraryFailed,
  libraryLoaded,
  recordAdded,
  recordsRemoved,
  recordUpdated,
  selectionSet,
} from '../../src/ui/library-state.ts';
import { initialState } from '../../src/ui/state.ts';
import { record } from '../library/fixtures.ts';

const a = summaryOf(record(1));
const b = summaryOf(record(2));
const c = summaryOf(record(3));

describe('the library slice of the UI state', () => {
  it('starts loading, then holds the summaries, or says why it cannot', () => {
    expect(initialState().library.status).toBe('loading');
    const ready = libraryLoaded(INITIAL_LIBRARY, [b, a], []);
    expect(ready).toMatchObject({ status: 'ready', records: [b, a], message: null });
    expect(libraryFailed(INITIAL_LIBRARY, 'no IndexedDB')).toMatchObject({ status: 'error', message: 'no IndexedDB' });
  });

  it('a new record comes first; an updated one stays in place', () => {
    const l = recordAdded(libraryLoaded(INITIAL_LIBRARY, [b, a], []), c);
    expect(l.records.map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    const tagged = recordUpdated(l, { ...b, tags: ['x'] });
    expect(tagged.records[1].tags).toEqual(['x']);
  });

  it('selection keeps only known ids; deletion drops them from records and selection and offers undo', () => {
    let l = libraryLoaded(INITIAL_LIBRARY, [c, b, a], []);
    l = selectionSet(l, [a.id, a.id, 'ghost', c.id]);
    expect(l.selected).toEqual([a.id, c.id]);
    l = decodedSet(l, { id: a.id, state: 'decoding' });
    l = recordsRemoved(l, [a]);
    expect(l.records.map((r) => r.id)).toEqual([c.id, b.id]);
    expect(l.selected).toEqual([c.id]);
    expect(l.undo).toEqual({ ids: [a.id], names: [a.name] });
    expect(l.decoded).toBeNull();
    // Reloading the list after an undo drops selected ids that are gone.
    expect(libraryLoaded({ ...l, selected: [c.id, a.id] }, [c], []).selected).toEqual([c.id]);
  });

  it('import shows progress, then every outcome', () => {
    let l = importStarted(INITIAL_LIBRARY, 3);
    expect(l.busy).toBe('importing 3 files');
    l = importFinished(l, [{ name: 'x.safetensors', ok: false, reason: 'damaged' }]);
    expect(l.busy).toBeNull();
    expect(l.imports).toEqual([{ name: 'x.safetensors', ok: false, reason: 'damaged' }]);
  });

  it('a decoding answer for an older request is dropped', () => {
    let l = decodedSet(INITIAL_LIBRARY, { id: a.id, state: 'decoding' });
    l = decodedSet(l, { id: b.id, state: 'decoding' });
    expect(decodedSet(l, { id: a.id, state: 'ready', text: 't', cTokens: 1, N: 1 })).toBe(l);
    expect(decodedSet(l, { id: b.id, state: 'ready', text: 't', cTokens: 1, N: 1 }).decoded).toMatchObject({ id: b.id, state: 'ready' });
  });
});
