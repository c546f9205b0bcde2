/**
 * Issue 7: two open tabs of the lab do not corrupt the solution library. Each tab holds its own
 * IndexedDB connection to the same database; here two connections interleave their writes (fake-
 * indexeddb, which follows the spec's transaction ordering) and both must then see one consistent
 * library: every summary with its bytes, deletions seen by both, nothing half-written.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { LibraryDb } from '../../src/library/db.ts';
import { record } from '../library/fixtures.ts';

const opened: LibraryDb[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});
async function tab(name: string): Promise<LibraryDb> {
  const db = await LibraryDb.open(name);
  opened.push(db);
  return db;
}

describe('two tabs on one library', () => {
  it('interleaved adds, tags and deletes from two connections leave one consistent library', async () => {
    const name = 'two-tabs-library';
    const [a, b] = [await tab(name), await tab(name)];
    // 30 adds from each tab at once, each record with its own bytes.
    const fromA = Array.from({ length: 30 }, (_, i) => record(i + 1, { text: `tab A text ${i}` }));
    const fromB = Array.from({ length: 30 }, (_, i) => record(i + 101, { text: `tab B text ${i}` }));
    await Promise.all([...fromA.map((r) => a.add(r)), ...fromB.map((r) => b.add(r))]);
    const ids = [...fromA, ...fromB].map((r) => r.id);
    expect(new Set(ids).size).toBe(60);
    for (const db of [a, b]) expect((await db.list()).map((r) => r.id).sort()).toEqual([...ids].sort());

    // Both tabs tag the same record at once: one write wins whole, the record stays readable.
    const target = fromA[0].id;
    await Promise.all([a.setTags(target, ['from-a']), b.setTags(target, ['from-b', 'second'])]);
    const tags = (await a.get(target)).tags;
    expect([['from-a'], ['from-b', 'second']]).toContainEqual(tags);
    expect((await b.get(target)).tags).toEqual(tags);

    // Tab B deletes while tab A lists and reads bytes: A sees either the record with its bytes or neither.
    const doomed = fromA.slice(10, 20).map((r) => r.id);
    const [, listedDuring] = await Promise.all([b.remove(doomed), a.list()]);
    for (const s of listedDuring) {
      const bytes = await a.bytes(s.id).catch(() => null);
      if (bytes === null) expect(doomed).toContain(s.id);
    }
    for (const db of [a, b]) {
      const now = await db.list();
      expect(now).toHaveLength(50);
      expect(now.some((s) => doomed.includes(s.id))).toBe(false);
      // Every listed summary has its bytes: summaries and bytes are written in one transaction.
      for (const s of now) expect((await db.bytes(s.id)).byteLength).toBe(4);
    }

    // A third tab opened now sees the same library (no upgrade blocked by the open ones).
    const c = await tab(name);
    expect((await c.list()).map((r) => r.id).sort()).toEqual((await a.list()).map((r) => r.id).sort());
  });
});
