import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseRecords } from '../../experiments/records.ts';
import { readInputFile } from '../input-file.ts';
import { expandPattern } from '../globs.ts';
import { describeCoverage, mergeResults, MergeError, shardCoverage, type ResultsFile } from '../../experiments/merge.ts';
import { summarise, reportJson, reportText, type TableFormat } from '../../experiments/report.ts';
import { reportPlots } from '../../experiments/plots.ts';

export interface ReportArgs {
  /** Results files or patterns (`results/shard-*.jsonl`): one sweep's shards are merged. */
  files: string[];
  json: boolean;
  format: TableFormat;
  /** Folder for the SVG files (default: next to the (first) results file); null: no plots. */
  plots: string | null | undefined;
  method?: string;
  source?: string;
}

export interface ReportOutput {
  stdout: string;
  plots: string[];
}

/** Every file the arguments name, each once, in the order given (a pattern's matches sorted). */
function resultFiles(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const matches = expandPattern(arg);
    if (matches.length === 0) throw new UsageError(`report: no file matches ${arg}.`);
    for (const m of matches) if (!out.includes(resolve(m))) out.push(resolve(m));
  }
  return out;
}

export function runReport(a: ReportArgs): ReportOutput {
  const files = resultFiles(a.files);
  const many = files.length > 1;
  let skipped = 0;
  let total = 0;
  const read: ResultsFile[] = files.map((file) => {
    const parsed = parseRecords(readInputFile('report', file, 'the results file (.jsonl) of a protolab sweep').toString('utf8'));
    skipped += parsed.skipped;
    total += parsed.records.length;
    let records = parsed.records;
    if (a.method) records = records.filter((r) => r.method === a.method);
    if (a.source) records = records.filter((r) => r.source === a.source);
    return { file, records };
  });
  const where = many ? `${files.length} files` : files[0];
  if (read.every((f) => f.records.length === 0)) {
    const why = total === 0 ? `${where} ${many ? 'hold' : 'holds'} no sweep results${skipped ? ` (${skipped} lines are not sweep records)` : ''}` : `no results in ${where} match --method/--source`;
    throw new UsageError(`${why}; run protolab sweep --out ${many ? 'FILE' : a.files[0]} first.`);
  }
  let merged;
  try {
    merged = mergeResults(read);
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(`report: ${e.message}`);
    throw e;
  }
  const sums = summarise(merged.records);
  const plots: string[] = [];
  if (a.plots !== null) {
    const dir = resolve(a.plots ?? dirname(files[0]));
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--plots: ${dir} is a file; give a folder for the SVG plots.`);
    mkdirSync(dir, { recursive: true });
    const stem = many ? 'merged' : basename(files[0]).replace(/\.jsonl?$/u, '');
    for (const [name, svg] of Object.entries(reportPlots(sums))) {
      const path = join(dir, `${stem}-${name}.svg`);
      writeFileSync(path, svg);
      plots.push(path);
    }
  }
  const shards = shardCoverage(merged.shards);
  const coverage = shards.map(describeCoverage).join('; ');
  if (a.json) return { stdout: JSON.stringify({ ...reportJson(sums), plots, skipped, files, duplicates: merged.duplicates, shards }), plots };
  const notes: string[] = [];
  if (many) notes.push(`Merged ${files.length} files${coverage ? ` (${coverage})` : ''}.`);
  else if (coverage) notes.push(`This file holds ${coverage}; give every shard's file to see the whole sweep.`);
  if (merged.duplicates) notes.push(`${merged.duplicates} record${merged.duplicates === 1 ? '' : 's'} of a text and length already given ${merged.duplicates === 1 ? 'was' : 'were'} counted once.`);
  // Lines that are not results (damaged, hand-edited, numbers out of range) are left out, and said so.
  if (skipped) notes.push(`${skipped} line${skipped === 1 ? '' : 's'} of ${where} ${skipped === 1 ? 'is' : 'are'} not a sweep record and ${skipped === 1 ? 'was' : 'were'} left out.`);
  const tail = plots.length ? `\n\nPlots:\n${plots.map((p) => `  ${p}`).join('\n')}` : '';
  return { stdout: reportText(sums, a.format) + tail + (notes.length ? `\n\n${notes.join('\n')}` : ''), plots };
}
