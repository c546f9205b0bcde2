/**
 * The library's IndexedDB database (see records.ts for the API). One database, three object
 * stores: solution summaries, their bytes (apart, so listing the table never reads the files),
 * and the checkpoints of runs that have not finished. Adding a store means bumping DB_VERSION and
 * creating it in `upgrade` (existing stores are kept).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { LibraryChanges } from './changes.ts';
import type { RunCheckpoint } from '../worker/protocol.ts';
import { summaryOf, type SolutionRecord, type SolutionSummary } from './records.ts';

export const DB_NAME = 'protolab';
export const DB_VERSION = 1;

/** A checkpoint as kept: the run's id (one per started run) and when it was last written. */
export interface StoredCheckpoint extends RunCheckpoint {
  id: string;
  savedAt: string;
}

/** What the table and the resume offer show of a checkpoint (no tensors). */
export type CheckpointSummary = Omit<StoredCheckpoint, 'state'>;

interface LibrarySchema extends DBSchema {
  solutions: { key: string; value: SolutionSummary; indexes: { savedAt: string } };
  'solution-bytes': { key: string; value: { id: string; bytes: ArrayBuffer } };
  checkpoints: { key: string; value: StoredCheckpoint };
}

export class LibraryError extends Error {
  override name = 'LibraryError';
}

export class LibraryDb {
  private constructor(
    private readonly db: IDBPDatabase<LibrarySchema>,
    /** Every write is announced here, so the lab's other tabs show it (changes.ts). */
    private readonly changes?: LibraryChanges,
  ) {}

  /** Opens (creating when needed) the database (tests use fake-indexeddb's global and their own name). */
  static async open(name = DB_NAME, changes?: LibraryChanges): Promise<LibraryDb> {
    if (!(globalThis as { indexedDB?: IDBFactory }).indexedDB) {
      throw new LibraryError('This browser offers no IndexedDB (a private window may switch it off): solutions cannot be kept; use a normal window.');
    }
    try {
      const db = await openDB<LibrarySchema>(name, DB_VERSION, {
        upgrade(db) {
          if (!db.objectStoreNames.contains('solutions')) db.createObjectStore('solutions', { keyPath: 'id' }).createIndex('savedAt', 'savedAt');
          if (!db.objectStoreNames.contains('solution-bytes')) db.createObjectStore('solution-bytes', { keyPath: 'id' });
          if (!db.objectStoreNames.contains('checkpoints')) db.createObjectStore('checkpoints', { keyPath: 'id' });
        },
        blocked() {
          // Another tab holds an older version open; it closes its connection on versionchange below.
        },
      });
      db.addEventListener('versionchange', () => db.close());
      return new LibraryDb(db, changes);
    } catch (e) {
      throw new LibraryError(`The solution library could not be opened (${(e as Error).message}); close other tabs of the lab and reload.`);
    }
  }

  close(): void {
    this.db.close();
  }

  /** Adds a record (summary and bytes in one transaction); an existing id is refused. */
  async add(record: SolutionRecord): Promise<SolutionSummary> {
    const [summary] = await this.insert([record], { taken: `The library already holds a solution with id ${record.id}.`, failed: 'The solution could not be kept' });
    return summary;
  }

  /** Adds many records in one transaction: all are kept, or none (an existing id refuses them all). */
  addMany(records: readonly SolutionRecord[]): Promise<SolutionSummary[]> {
    return this.insert(records, { taken: 'The library already holds a solution with one of these ids: none of them was kept.', failed: 'The solutions could not be kept' });
  }

  /** add and addMany: one transaction for all the records, refused in the caller's words. */
  private async insert(records: readonly SolutionRecord[], words: { taken: string; failed: string }): Promise<SolutionSummary[]> {
    const summaries = records.map(summaryOf);
    const tx = this.db.transaction(['solutions', 'solution-bytes'], 'readwrite');
    try {
      await Promise.all([
        ...records.flatMap((r, i) => [tx.objectStore('solutions').add(summaries[i]), tx.objectStore('solution-bytes').add({ id: r.id, bytes: r.bytes })]),
        tx.done,
      ]);
    } catch (e) {
      if ((e as DOMException).name === 'ConstraintError') throw new LibraryError(words.taken);
      throw new LibraryError(`${words.failed} (${(e as Error).message}); free some disk space or delete old solutions.`);
    }
    this.changes?.announce();
    return summaries;
  }

  /** Every summary, newest first. */
  async list(): Promise<SolutionSummary[]> {
    const all = await this.db.getAllFromIndex('solutions', 'savedAt');
    return all.reverse();
  }

  async get(id: string): Promise<SolutionRecord> {
    const tx = this.db.transaction(['solutions', 'solution-bytes'], 'readonly');
    const [summary, bytes] = await Promise.all([tx.objectStore('solutions').get(id), tx.objectStore('solution-bytes').get(id), tx.done]);
    if (!summary || !bytes) throw new LibraryError(`The library holds no solution ${id} (it may have been deleted in another tab).`);
    return { ...summary, bytes: bytes.bytes };
  }

  /** The solution file's bytes (a fresh ArrayBuffer each call). */
  async bytes(id: string): Promise<ArrayBuffer> {
    const row = await this.db.get('solution-bytes', id);
    if (!row) throw new LibraryError(`The library holds no solution ${id} (it may have been deleted in another tab).`);
    return row.bytes;
  }

  async setTags(id: string, tags: string[]): Promise<SolutionSummary> {
    const tx = this.db.transaction('solutions', 'readwrite');
    const summary = await tx.store.get(id);
    const next = summary ? { ...summary, tags } : null;
    await Promise.all([next ? tx.store.put(next) : undefined, tx.done]);
    if (!next) throw new LibraryError(`The library holds no solution ${id} to tag (it may have been deleted in another tab).`);
    this.changes?.announce();
    return next;
  }

  /** Deletes the records and returns them whole, so the deletion can be undone with restore(). */
  async remove(ids: readonly string[]): Promise<SolutionRecord[]> {
    const tx = this.db.transaction(['solutions', 'solution-bytes'], 'readwrite');
    const sums = tx.objectStore('solutions');
    const bytes = tx.objectStore('solution-bytes');
    const removed: SolutionRecord[] = [];
    for (const id of ids) {
      const [s, b] = await Promise.all([sums.get(id), bytes.get(id)]);
      if (!s || !b) continue;
      removed.push({ ...s, bytes: b.bytes });
      await Promise.all([sums.delete(id), bytes.delete(id)]);
    }
    await tx.done;
    if (removed.length > 0) this.changes?.announce();
    return removed;
  }

  /** Puts deleted records back as they were (same ids, dates and tags). */
  async restore(records: readonly SolutionRecord[]): Promise<void> {
    const tx = this.db.transaction(['solutions', 'solution-bytes'], 'readwrite');
    await Promise.all([
      ...records.flatMap((r) => [tx.objectStore('solutions').put(summaryOf(r)), tx.objectStore('solution-bytes').put({ id: r.id, bytes: r.bytes })]),
      tx.done,
    ]);
    this.changes?.announce();
  }

  // ------------------------------------------------------------ run checkpoints

  /** Writes (replaces) the latest checkpoint of run `id`. */
  async putCheckpoint(id: string, cp: RunCheckpoint, at = new Date()): Promise<void> {
    await this.db.put('checkpoints', { ...cp, id, savedAt: at.toISOString() });
  }

  /** The unfinished runs, newest first, without their tensors. */
  async checkpoints(): Promise<CheckpointSummary[]> {
    const all = await this.db.getAll('checkpoints');
    return all.map(({ state: _state, ...rest }) => rest).sort((a, b) => (a.savedAt < b.savedAt ? 1 : -1));
  }

  async checkpoint(id: string): Promise<StoredCheckpoint> {
    const cp = await this.db.get('checkpoints', id);
    if (!cp) throw new LibraryError(`No interrupted run ${id} is kept (it may have been resumed or discarded in another tab).`);
    return cp;
  }

  /** Gone when its run finished or was discarded: other tabs stop offering it (a new checkpoint is not announced: its run is alive). */
  async removeCheckpoint(id: string): Promise<void> {
    await this.db.delete('checkpoints', id);
    this.changes?.announce();
  }
}

export const openLibrary = LibraryDb.open;
