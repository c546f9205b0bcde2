/**
 * The "Memory" table of issue 16: the paper's six models x five weight formats x N, GiB on the GPU
 * for the weights and for weights plus a one-text proto-token trainer of N tokens, from the
 * engine's own allocation plans (prototokens/memory-plan.ts, held to real allocations by
 * test/prototokens/memory-plan.test.ts). Pure: no GPU needed.
 */
import { parseConfig } from '../../src/model/config.ts';
import { MODEL_SHAPES } from '../../src/model/shapes.ts';
import { BY_PRECISION, type WeightFormat } from '../../src/model/weight-format.ts';
import { memoryPlan, type MemoryPlan } from '../../src/prototokens/memory-plan.ts';

export const MEMORY_NS = [128, 512, 1024] as const;
/** WebGPU's default maxStorageBufferBindingSize: what most browsers give a page. */
export const DEFAULT_BINDING = 128 * 2 ** 20;

export interface MemoryCell extends MemoryPlan {
  shape: string;
}

export function memoryTable(bindingBytes = DEFAULT_BINDING): MemoryCell[] {
  const cells: MemoryCell[] = [];
  for (const s of MODEL_SHAPES) {
    const spec = parseConfig(s.config);
    for (const f of BY_PRECISION) for (const n of MEMORY_NS) cells.push({ shape: s.name, ...memoryPlan(spec, f as WeightFormat, n, bindingBytes) });
  }
  return cells;
}

const gib = (b: number) => (b / 2 ** 30).toFixed(2);

/** Markdown: one row per shape and format: params, bytes per parameter, weights, then the total at each N. */
export function memoryMarkdown(cells: readonly MemoryCell[]): string {
  const lines = [
    `| model | format | bytes / param | weights GiB | ${MEMORY_NS.map((n) => `total GiB, N = ${n}`).join(' | ')} |`,
    `| --- | --- | ---: | ---: | ${MEMORY_NS.map(() => '---:').join(' | ')} |`,
  ];
  for (const s of MODEL_SHAPES) {
    for (const f of BY_PRECISION) {
      const row = cells.filter((c) => c.shape === s.name && c.weight_format === f);
      const first = row[0];
      lines.push(
        `| ${s.name} (${(first.params / 1e9).toFixed(2)} B) | ${f} | ${(first.weight_bytes / first.params).toFixed(3)} | ${gib(first.weight_bytes)} | ${MEMORY_NS.map((n) => gib(row.find((c) => c.n === n)!.total_bytes)).join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}
