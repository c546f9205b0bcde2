import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { readRecordsFile } from '../../experiments/node/jsonl-store.ts';
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
  if (!existsSync(file)) throw new UsageError(`No results file at ${file}; give the --out file of a protolab sweep.`);
  if (statSync(file).isDirectory()) throw new UsageError(`${file} is a folder; give the results file (.jsonl) of a protolab sweep.`);
  const { records, skipped } = readRecordsFile(file);
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
  if (a.json) return { stdout: JSON.stringify({ ...reportJson(sums), plots }), plots };
  const text = reportText(sums, a.format);
  const tail = plots.length ? `\n\nPlots:\n${plots.map((p) => `  ${p}`).join('\n')}` : '';
  return { stdout: text + tail, plots };
}
