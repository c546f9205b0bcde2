import { describe, expect, it } from 'vitest';
import { parseMarkdownTables } from '../../src/ui/markdown-table.ts';
import { renderTable } from '../../src/experiments/report.ts';

describe('report tables as data', () => {
  it('reads what renderTable writes: head, alignment, rows, and the caption above', () => {
    const md = ['pg19, N = 4, 1 seeds', renderTable(['shared', 'agg', 'S_g = 1'], [['m', 'max', '1.00 ± 0.00 (2)'], ['m', 'avg', '0.50 ± 0.10 (2)']], 'markdown', ['l', 'l']), '', 'other text', renderTable(['a', 'b'], [['x', '1']], 'markdown')].join('\n');
    const t = parseMarkdownTables(md);
    expect(t).toHaveLength(2);
    expect(t[0]).toEqual({ caption: 'pg19, N = 4, 1 seeds', head: ['shared', 'agg', 'S_g = 1'], align: ['l', 'l', 'r'], rows: [['m', 'max', '1.00 ± 0.00 (2)'], ['m', 'avg', '0.50 ± 0.10 (2)']] });
    expect(t[1].caption).toBe('other text');
    expect(t[1].rows).toEqual([['x', '1']]);
  });

  it('no table: nothing', () => {
    expect(parseMarkdownTables('No results in this file.')).toEqual([]);
  });
});
