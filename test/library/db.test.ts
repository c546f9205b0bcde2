import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { LibraryDb, LibraryError } from '../../src/library/db.ts';
import type { RunCheckpoint } from '../../src/worker/protocol.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { record } from './fixtures.ts';

let n = 0;
const opened: LibraryDb[] = [];
async function fresh(): Promise<{ db: LibraryDb; name: string }> {
  const name = `library-test-${n++}`;
  const db = await LibraryDb.open(name);
  opened.push(db);
  return { db, name };
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function checkpoint(step: number): RunCheckpoint {
  return {
    modelId: 'stories260k',
    modelFingerprint: 'fp-stories',
    modelLabel: 'stories260k',
    ids: [1, 2, 3],
    text: 'The cat',
    settings: PAPER_SETTINGS,
    step,
    elapsedMs: 1234,
    bestGainStep: step - 5,
    bestCorrect: 2,
    state: {
      step,
      params: Float32Array.of(0.5, -1, 2),
      adamM: Float32Array.of(1, 2, 3),
      adamV: Float32Array.of(4, 5, 6),
      adamStep: step,
      bestCorrect: Uint32Array.of(2),
      bestLoss: Float32Array.of(0.25),
      bestStep: Uint32Array.of(step - 5),
      bestParams: Float32Array.of(9, 8, 7),
    },
  };
}

describe('the library in IndexedDB', () => {
  it('adds, lists newest first, reads bytes, and keeps them across a reopen', async () => {
    const { db, name } = await fresh();
    const a = record(1);
    const b = record(2, { text: 'Second' });
    await db.add(a);
    await db.add(b);
    expect((await db.list()).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await db.list())[0]).not.toHaveProperty('bytes');
    expect(new Uint8Array(await db.bytes(a.id))).toEqual(new Uint8Array([1, 1, 1, 7]));
    expect((await db.get(b.id)).text).toBe('Second');
    db.close();
    const again = await LibraryDb.open(name);
    opened.push(again);
    expect((await again.list()).map((r) => r.text)).toEqual(['Second', 'The cat sat']);
    expect(new Uint8Array(await again.bytes(b.id))).toEqual(new Uint8Array([2, 2, 2, 7]));
  });

  it('refuses a duplicate id and names a missing one', async () => {
    const { db } = await fresh();
    const a = record(1);
    await db.add(a);
    await expect(db.add(a)).rejects.toThrow(`The library already holds a solution with id ${a.id}.`);
    await expect(db.bytes('nope')).rejects.toThrow(LibraryError);
    await expect(db.get('nope')).rejects.toThrow(/holds no solution nope/);
    await expect(db.setTags('nope', ['x'])).rejects.toThrow(/no solution nope to tag/);
    expect(await db.list()).toHaveLength(1);
  });

  it('adds many in one transaction: all kept, or none when one id is already there', async () => {
    const { db } = await fresh();
    const many = [record(1, {}, ['geometry']), record(2), record(3)];
    const summaries = await db.addMany(many);
    expect(summaries.map((r) => r.id)).toEqual(many.map((r) => r.id));
    expect((await db.list()).map((r) => r.name)).toEqual(['sol-3.safetensors', 'sol-2.safetensors', 'sol-1.safetensors']);
    expect((await db.get(many[0].id)).tags).toEqual(['geometry']);
    const again = [record(4), many[1]];
    await expect(db.addMany(again)).rejects.toThrow(/none of them was kept/);
    expect(await db.list()).toHaveLength(3);
  });

  it('updates tags', async () => {
    const { db } = await fresh();
    const a = record(1);
    await db.add(a);
    const s = await db.setTags(a.id, ['keep', 'seed sweep']);
    expect(s.tags).toEqual(['keep', 'seed sweep']);
    expect((await db.list())[0].tags).toEqual(['keep', 'seed sweep']);
  });

  it('deletes several and restores them exactly (undo)', async () => {
    const { db } = await fresh();
    const rs = [record(1, {}, ['a']), record(2), record(3)];
    for (const r of rs) await db.add(r);
    const removed = await db.remove([rs[0].id, rs[2].id, 'missing']);
    expect(removed.map((r) => r.id)).toEqual([rs[0].id, rs[2].id]);
    expect((await db.list()).map((r) => r.id)).toEqual([rs[1].id]);
    await expect(db.bytes(rs[0].id)).rejects.toThrow(LibraryError);
    await db.restore(removed);
    const back = await db.list();
    expect(back.map((r) => r.id)).toEqual([rs[2].id, rs[1].id, rs[0].id]);
    const { bytes: _bytes, ...summary } = rs[0];
    expect(back[2]).toEqual(summary); // same id, date and tags as before
    expect(new Uint8Array(await db.bytes(rs[0].id))).toEqual(new Uint8Array([1, 1, 1, 7]));
  });

  it('keeps the latest checkpoint of each run, with its tensors, until removed', async () => {
    const { db } = await fresh();
    await db.putCheckpoint('run-1', checkpoint(10), new Date('2026-12-01T10:00:00Z'));
    await db.putCheckpoint('run-1', checkpoint(20), new Date('2026-12-01T10:00:03Z'));
    await db.putCheckpoint('run-2', checkpoint(5), new Date('2026-12-01T11:00:00Z'));
    const list = await db.checkpoints();
    expect(list.map((c) => [c.id, c.step])).toEqual([['run-2', 5], ['run-1', 20]]);
    expect(list[0]).not.toHaveProperty('state');
    const cp = await db.checkpoint('run-1');
    expect(cp.state.adamV).toBeInstanceOf(Float32Array);
    expect(Array.from(cp.state.adamV)).toEqual([4, 5, 6]);
    expect(Array.from(cp.state.bestStep)).toEqual([15]);
    expect(cp.savedAt).toBe('2026-12-01T10:00:03.000Z');
    await db.removeCheckpoint('run-1');
    await expect(db.checkpoint('run-1')).rejects.toThrow(/No interrupted run run-1/);
    expect((await db.checkpoints()).map((c) => c.id)).toEqual(['run-2']);
  });
});
