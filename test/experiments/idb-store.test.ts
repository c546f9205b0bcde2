import 'fake-indexeddb/auto'; // idb recognises requests by the global IDB classes
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { idbRecordStore } from '../../src/experiments/idb-store.ts';
import { parseRecords, type SweepRecord } from '../../src/experiments/records.ts';
import { fakeRecord } from '../helpers/records.ts';

function record(text: string, length: number, attempt: string, of = 1): SweepRecord {
  return fakeRecord({ sweep: 'abc', text, length, attempt, of });
}

describe('the browser record store (IndexedDB)', () => {
  it('keeps appended attempts across a reopen (a page reload), in order, as JSON lines', async () => {
    const factory = new IDBFactory();
    const a = await idbRecordStore(factory);
    expect(await a.load()).toEqual([]);
    await a.append([record('t1', 4, 'a1')]);
    await a.append([record('t2', 4, 'a2', 2), record('t3', 4, 'a2', 2)]);
    a.close();
    const b = await idbRecordStore(factory);
    const loaded = await b.load();
    expect(loaded.map((r) => r.text)).toEqual(['t1', 't2', 't3']);
    expect(parseRecords(await b.jsonl()).records).toEqual(loaded);
    expect((await b.jsonl()).split('\n')).toHaveLength(4);
  });

  it('an attempt with lines missing does not count, as in a file', async () => {
    const s = await idbRecordStore(new IDBFactory());
    await s.append([record('t1', 4, 'cut', 2)]);
    await s.append([record('t2', 4, 'whole')]);
    expect((await s.load()).map((r) => r.text)).toEqual(['t2']);
  });

  it('clear removes everything; stores under different names are apart', async () => {
    const factory = new IDBFactory();
    const s = await idbRecordStore(factory);
    const other = await idbRecordStore(factory, 'other');
    await s.append([record('t1', 4, 'a')]);
    expect(await other.load()).toEqual([]);
    await s.clear();
    expect(await s.load()).toEqual([]);
  });

  it('a factory that fails says how to get storage back', async () => {
    const broken = { open: () => { throw new Error('denied'); } } as unknown as globalThis.IDBFactory;
    await expect(idbRecordStore(broken)).rejects.toThrow(/IndexedDB\) could not be opened \(denied\).*Allow site storage/);
  });
});
