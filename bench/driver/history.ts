/**
 * The results history: each saved run appends one record per platform to bench/results/
 * engine.json, compress.json and models.json ({ runs: [...] }, two-space JSON), each file only
 * when that platform ran its parts, so --skip'd parts leave their file alone. Every record carries
 * the date, the commit measured, the adapter and the host's load (machine-load.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchParts } from '../parts.ts';
import { hasEngineResults, type AdapterInfo, type SuiteResults } from '../suite/results.ts';
import { REPO } from './tree.ts';

export const RESULTS = join(REPO, 'bench', 'results');

/** One platform's results and its host record (CPU, Node and Chromium versions, machine load). */
export type PlatformRun = [platform: string, results: SuiteResults, host: Record<string, string | number>];

interface Run {
  date: string;
  commit: string;
  adapter: AdapterInfo;
  host: Record<string, string | number>;
  quick?: boolean;
  results: unknown;
}

function append(file: string, runs: Run[]): void {
  const path = join(RESULTS, file);
  const doc = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { runs: Run[] }) : { runs: [] };
  doc.runs.push(...runs);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}

/** Appends `done` to the results files; returns the names of the files it wrote to. */
export function saveRuns(done: PlatformRun[], o: { date: string; commit: string; quick: boolean; parts: BenchParts }): string[] {
  const run = (r: SuiteResults, h: Record<string, string | number>, results: unknown): Run => ({
    date: o.date,
    commit: o.commit,
    adapter: r.adapter,
    host: h,
    ...(o.quick ? { quick: true } : {}),
    results,
  });
  const files: string[] = [];
  const save = (file: string, runs: Run[]) => {
    if (!runs.length) return;
    append(file, runs);
    files.push(file);
  };
  // --skip'd parts leave their file alone; `parts` in each run says what ran.
  save('engine.json', done.filter(([, r]) => hasEngineResults(r)).map(([, r, h]) => run(r, h, { parts: o.parts, partSeconds: r.partSeconds, ...r.engine })));
  save('compress.json', done.filter(([, r]) => r.compress).map(([, r, h]) => run(r, h, r.compress)));
  save('models.json', done.filter(([, r]) => r.models.length).map(([, r, h]) => run(r, h, { partSeconds: r.partSeconds, models: r.models })));
  return files;
}
