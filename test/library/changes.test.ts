import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LibraryDb } from '../../src/library/db.ts';
import { libraryChanges } from '../../src/library/changes.ts';
import { record } from './fixtures.ts';

// Issue 18: a second tab saw library changes only after a reload. Every write is announced on a
// BroadcastChannel; the other tab's channel hears it (a tab does not hear its own).
describe('library changes reach the other tabs', () => {
  it('adds, tags, deletes, restores and a finished run are announced to the other tab, not to the writer', async () => {
    const name = `library-changes-${Date.now()}`;
    const channel = `protolab-library-test-${Date.now()}`;
    const a = libraryChanges(channel);
    const b = libraryChanges(channel);
    const heardByA: number[] = [];
    const heardByB: number[] = [];
    let n = 0;
    a.listen(() => heardByA.push(n));
    b.listen(() => heardByB.push(n));
    const tabA = await LibraryDb.open(name, a);
    const tabB = await LibraryDb.open(name, b);
    const settle = () => new Promise((r) => setTimeout(r, 50));
    try {
      const rec = record(1);
      const id = rec.id;
      n = 1;
      await tabA.add(rec);
      await settle();
      expect(await tabB.list()).toHaveLength(1);
      n = 2;
      await tabA.setTags(id, ['x']);
      await settle();
      n = 3;
      const removed = await tabA.remove([id]);
      await settle();
      n = 4;
      await tabA.restore(removed);
      await settle();
      n = 5;
      await tabA.removeCheckpoint('gone');
      await settle();
      expect(heardByB).toEqual([1, 2, 3, 4, 5]);
      expect(heardByA).toEqual([]);
      n = 6;
      await tabB.remove([id]);
      await settle();
      expect(heardByA).toEqual([6]);
    } finally {
      tabA.close();
      tabB.close();
      a.close();
      b.close();
    }
  });
});
