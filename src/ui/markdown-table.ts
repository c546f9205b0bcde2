/**
 * The report's tables (src/experiments/report.ts, markdown format) as data for HTML tables: one
 * block per table, with the caption lines that precede it (the sharing table writes one per length).
 */
export interface TableBlock {
  caption: string;
  head: string[];
  /** 'r' for a right-aligned column (---:), else 'l'. */
  align: ('l' | 'r')[];
  rows: string[][];
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\|/u, '')
    .replace(/\|$/u, '')
    .split('|')
    .map((c) => c.trim());

export function parseMarkdownTables(text: string): TableBlock[] {
  const out: TableBlock[] = [];
  const lines = text.split('\n');
  let caption: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim().startsWith('|') && lines[i + 1]?.trim().match(/^\|(\s*:?-+:?\s*\|)+$/u)) {
      const head = cells(line);
      const align = cells(lines[i + 1]).map((c) => (c.endsWith(':') ? 'r' : 'l'));
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && lines[i].trim().startsWith('|')) rows.push(cells(lines[i++]));
      i--;
      out.push({ caption: caption.join(' '), head, align, rows });
      caption = [];
    } else if (line.trim()) caption.push(line.trim());
    else caption = [];
  }
  return out;
}
