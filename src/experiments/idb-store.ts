/**
 * The sweep's record store in the browser: the same JSON-lines records as the command line's file
 * (node/jsonl-store.ts), kept in IndexedDB, so a reload or a closed tab loses only the attempt that
 * was running, and running the same experiment again continues where it stopped (runSweep skips
 * what is stored). One attempt's lines go in one transaction: either all of them land or none.
 */
import { wrap, type IDBPDatabase } from 'idb';
import { parseRecords, type RecordStore, type SweepRecord } from './records.ts';

export const EXPERIMENTS_DB = 'protolab-experiments';
const RECORDS = 'records';

export interface BrowserRecordStore extends RecordStore {
  load(): Promise<SweepRecord[]>;
  append(records: SweepRecord[]): Promise<void>;
  /** Removes every record (of all sweeps). */
  clear(): Promise<void>;
  /** The records as JSON lines, in the order they were stored (what `protolab report` reads). */
  jsonl(): Promise<string>;
  close(): void;
}

/** Opens (creating when needed) the store in `factory` (the page's or worker's indexedDB; a fake in tests). */
export async function idbRecordStore(factory: IDBFactory = indexedDB, name = EXPERIMENTS_DB): Promise<BrowserRecordStore> {
  let db: IDBPDatabase;
  try {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(RECORDS, { autoIncrement: true });
    db = await (wrap(request) as unknown as Promise<IDBPDatabase>);
  } catch (e) {
    throw new Error(`The browser's storage (IndexedDB) could not be opened (${(e as Error)?.message ?? e}); results cannot be kept. Allow site storage, or leave private browsing.`);
  }
  const all = async () => (await db.getAll(RECORDS)) as SweepRecord[];
  return {
    async load() {
      // Through the same completeness rule as a file: an attempt with missing lines does not count.
      return parseRecords((await all()).map((r) => JSON.stringify(r)).join('\n')).records;
    },
    async append(records) {
      if (records.length === 0) return;
      const tx = db.transaction(RECORDS, 'readwrite');
      await Promise.all([...records.map((r) => tx.store.add(r)), tx.done]);
    },
    async clear() {
      await db.clear(RECORDS);
    },
    async jsonl() {
      return (await all()).map((r) => `${JSON.stringify(r)}\n`).join('');
    },
    close: () => db.close(),
  };
}
