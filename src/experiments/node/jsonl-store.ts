/** Results as a JSON-lines file (Node only: the CLI and tests). */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, truncateSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseRecords, recordOfLine, type RecordStore, type SweepRecord } from '../records.ts';

/**
 * A JSON-lines file: records are read from it and appended to it. A last line without its newline
 * (the process was killed while writing it) is cut off before anything new is appended; the cut is
 * made in bytes, so a stray multi-byte character earlier in the file cannot move it.
 */
export interface JsonlStore extends RecordStore {
  path: string;
  load(): SweepRecord[];
  append(records: SweepRecord[]): void;
}

const NEWLINE = 0x0a;

/** A file refused as a results file (resultsFileProblem says why). */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/**
 * Why `file` cannot take results, or null when it can (absent, empty, or a results file of this
 * lab: every whole line a record, and at most a cut record after the last newline). Such a file
 * is refused untouched: appending to a model's weights or a text would damage it.
 */
export function resultsFileProblem(file: string): string | null {
  if (!existsSync(file)) return null;
  const info = statSync(file);
  if (info.isDirectory()) return `${file} is a folder; give a file for the results (e.g. results.jsonl).`;
  if (!info.isFile()) return `${file} is not a regular file (a device, a pipe?); give a file for the results (e.g. results.jsonl).`;
  const bytes = readFileSync(file);
  const end = bytes.lastIndexOf(NEWLINE) + 1;
  const lines = bytes.subarray(0, end).toString('utf8').split('\n');
  const bad = lines.findIndex((line) => line.trim() !== '' && recordOfLine(line) === null);
  const cut = bytes.subarray(end);
  if (bad >= 0 || (cut.length > 0 && cut[0] !== 0x7b /* { */)) {
    const where = bad >= 0 ? `line ${bad + 1}` : `its last line`;
    return `${file} is not a results file of this lab (${where} is not a sweep record) and is left untouched; give another --out.`;
  }
  return null;
}

export function jsonlStore(path: string): JsonlStore {
  const file = resolve(path);
  return {
    path: file,
    load() {
      const problem = resultsFileProblem(file);
      if (problem) throw new ResultsFileError(problem);
      if (!existsSync(file)) return [];
      const bytes = readFileSync(file);
      const end = bytes.lastIndexOf(NEWLINE) + 1;
      if (end < bytes.length) truncateSync(file, end);
      return parseRecords(bytes.subarray(0, end).toString('utf8')).records;
    },
    append(records: SweepRecord[]) {
      if (records.length === 0) return;
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    },
  };
}

/** How often a sweep refreshes its lock, and how old another machine's lock must be to count as left behind. */
export const LOCK_HEARTBEAT_MS = 10_000;
export const LOCK_STALE_MS = 60_000;

export interface LockTiming {
  heartbeatMs: number;
  staleMs: number;
  /** How long to wait for another machine's lock to go stale before refusing. */
  waitMs: number;
}

const LOCK_TIMING: LockTiming = { heartbeatMs: LOCK_HEARTBEAT_MS, staleMs: LOCK_STALE_MS, waitMs: LOCK_STALE_MS + 2 * LOCK_HEARTBEAT_MS };

interface LockHolder {
  pid: number;
  host: string;
  /** ms since the lock was last refreshed. */
  age: number;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the results file for this process: `<file>.lock` holds the writer's pid and host, created
 * exclusively and refreshed (its mtime) every heartbeat while the sweep runs. A second sweep on the
 * same file is refused with one line while the first is alive. On the same machine that is its
 * pid. A shard's file on a shared volume may be written from another machine (a pod retried on
 * another node after the first was killed), whose pid cannot be asked: there the lock counts as
 * alive while it is refreshed. A retried pod starts seconds after the kill, while the dead pod's
 * lock is still fresh, so it waits (up to a minute and a bit) for the lock to go stale and takes
 * it over, instead of failing and spending a retry; a lock still refreshed after that wait has a
 * living writer, and the sweep is refused. Returns the release.
 */
export function lockResultsFile(path: string, timing: LockTiming = LOCK_TIMING, onWait?: (msg: string) => void): () => void {
  const lock = `${resolve(path)}.lock`;
  const me = hostname();
  const start = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid} ${me}`);
      closeSync(fd);
      const beat = setInterval(() => {
        try {
          const now = new Date();
          utimesSync(lock, now, now);
        } catch {
          // Removed under us: the release (or a person) took it; nothing to refresh.
        }
      }, timing.heartbeatMs);
      beat.unref();
      return () => {
        clearInterval(beat);
        try {
          unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = lockHolder(lock);
      if (holder && holder.host !== me && holder.age < timing.staleMs) {
        if (Date.now() - start < timing.waitMs) {
          onWait?.(`waiting for ${lock} (process ${holder.pid} on ${holder.host}, refreshed ${(holder.age / 1000).toFixed(0)} s ago) to be released or to go stale`);
          sleep(Math.min(1000, timing.heartbeatMs));
          continue;
        }
        throw new Error(`Another sweep (process ${holder.pid} on ${holder.host}) is writing ${resolve(path)}; wait for it to finish, or give another --out (a lock not refreshed for ${timing.staleMs / 1000} s is taken over; remove ${lock} if no sweep is running).`);
      }
      if (holder && holder.host === me && holder.pid !== process.pid && alive(holder.pid)) {
        throw new Error(`Another sweep (process ${holder.pid}) is writing ${resolve(path)}; wait for it to finish, or give another --out (remove ${lock} if no sweep is running).`);
      }
      try {
        unlinkSync(lock); // stale: its writer is gone
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // another taker removed it first
      }
    }
  }
}

/** The lock's writer: "pid host" (a lock from before hosts were written holds the pid alone: this machine). */
function lockHolder(lock: string): LockHolder | null {
  try {
    const fd = openSync(lock, 'r');
    const buf = Buffer.alloc(300);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const [pidText, host] = buf.subarray(0, n).toString('utf8').trim().split(/\s+/u);
    const pid = Number(pidText);
    if (!(Number.isInteger(pid) && pid > 0)) return null;
    return { pid, host: host ?? hostname(), age: Date.now() - statSync(lock).mtimeMs };
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
