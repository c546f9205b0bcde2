import { describe, expect, it } from 'vitest';
import { memoryMarkdown, memoryTable, MEMORY_NS } from '../../bench/formats/memory-table.ts';
import { MODEL_SHAPES } from '../../src/model/shapes.ts';
import { WEIGHT_FORMATS } from '../../src/model/weight-format.ts';

describe('the Memory table of npm run bench:formats', () => {
  it('has every shape x format x N, totals above weights and growing with N within a recompute regime', () => {
    const cells = memoryTable();
    expect(cells).toHaveLength(MODEL_SHAPES.length * WEIGHT_FORMATS.length * MEMORY_NS.length);
    for (const c of cells) expect(c.total_bytes).toBeGreaterThan(c.weight_bytes);
    const md = memoryMarkdown(cells).split('\n');
    expect(md).toHaveLength(2 + MODEL_SHAPES.length * WEIGHT_FORMATS.length);
    expect(md.find((l) => l.startsWith('| llama-3.1-8b (8.03 B) | q4 |'))).toMatch(/\| 0\.563 \| 4\.21 \|/);
  });
});
