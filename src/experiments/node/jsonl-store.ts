/** Results as a JSON-lines file (Node only: the CLI and tests). */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseRecords, type RecordStore, type SweepRecord } from '../records.ts';

/**
 * A JSON-lines file: records are read from it and appended to it. A last line without its newline
 * (the process was killed while writing it) is cut off before anything new is appended.
 */
export interface JsonlStore extends RecordStore {
  path: string;
  load(): SweepRecord[];
  append(records: SweepRecord[]): void;
}

export function jsonlStore(path: string): JsonlStore {
  const file = resolve(path);
  return {
    path: file,
    load() {
      if (!existsSync(file)) return [];
      if (statSync(file).isDirectory()) throw new Error(`${file} is a folder; give a file for the results (e.g. results.jsonl).`);
      const text = readFileSync(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
      return parseRecords(text).records;
    },
    append(records: SweepRecord[]) {
      if (records.length === 0) return;
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    },
  };
}

/** Reads records from a file (the report). */
export function readRecordsFile(path: string): { records: SweepRecord[]; skipped: number } {
  return parseRecords(readFileSync(path, 'utf8'));
}
