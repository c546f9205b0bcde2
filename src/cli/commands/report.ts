import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseRecords } from '../../experiments/records.ts';
import { readInputFile } from '../input-file.ts';
import { summarise, reportJson, reportText, type TableFormat } from '../../experiments/report.ts';
import { reportPlots } from '../../experiments/plots.ts';

export interface ReportArgs {
  file: string;
  json: boolean;
  format: TableFormat;
  /** Folder for the SVG files (default: next to the results file); null: no plots. */
  plots: string | null | undefined;
  method?: string;
  source?: string;
}

export interface ReportOutput {
  stdout: string;
  plots: string[];
}

export function runReport(a: ReportArgs): ReportOutput {
  const file = resolve(a.file);
  const { records, skipped } = parseRecords(readInputFile('report', file, 'the results file (.jsonl) of a protolab sweep').toString('utf8'));
  let recs = records;
  if (a.method) recs = recs.filter((r) => r.method === a.method);
  if (a.source) recs = recs.filter((r) => r.source === a.source);
  if (recs.length === 0) {
    const why = records.length === 0 ? `${file} holds no sweep results${skipped ? ` (${skipped} lines are not sweep records)` : ''}` : `no results in ${file} match --method/--source`;
    throw new UsageError(`${why}; run protolab sweep --out ${a.file} first.`);
  }
  const sums = summarise(recs);
  const plots: string[] = [];
  if (a.plots !== null) {
    const dir = resolve(a.plots ?? dirname(file));
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--plots: ${dir} is a file; give a folder for the SVG plots.`);
    mkdirSync(dir, { recursive: true });
    const stem = basename(file).replace(/\.jsonl?$/u, '');
    for (const [name, svg] of Object.entries(reportPlots(sums))) {
      const path = join(dir, `${stem}-${name}.svg`);
      writeFileSync(path, svg);
      plots.push(path);
    }
  }
  if (a.json) return { stdout: JSON.stringify({ ...reportJson(sums), plots, skipped }), plots };
  const text = reportText(sums, a.format);
  const tail = plots.length ? `\n\nPlots:\n${plots.map((p) => `  ${p}`).join('\n')}` : '';
  // Lines that are not results (damaged, hand-edited, numbers out of range) are left out, and said so.
  const left = skipped ? `\n\n${skipped} line${skipped === 1 ? '' : 's'} of ${file} ${skipped === 1 ? 'is' : 'are'} not a sweep record and ${skipped === 1 ? 'was' : 'were'} left out.` : '';
  return { stdout: text + tail + left, plots };
}
