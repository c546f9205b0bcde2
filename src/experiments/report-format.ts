/** Numbers and tables of the sweep reports (report.ts, report-progressive.ts): spreads and text or Markdown tables. */

export interface Stat {
  n: number;
  mean: number;
  std: number;
  max: number;
  min: number;
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  if (n === 0) return { n: 0, mean: NaN, std: NaN, max: NaN, min: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { n, mean, std, max: Math.max(...xs), min: Math.min(...xs) };
}

export type TableFormat = 'text' | 'markdown';

export function renderTable(head: string[], rows: string[][], format: TableFormat, align: ('l' | 'r')[] = []): string {
  const al = (i: number) => align[i] ?? (i === 0 ? 'l' : 'r');
  if (format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map((_, i) => (al(i) === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (al(i) === 'r' ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...rows.map(line)].join('\n');
}

export const pm = (s: Stat, digits: number) => (s.n === 0 ? '–' : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`);

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
