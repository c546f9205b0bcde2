/**
 * matmulPath (src/ops/matmul.ts) names the kernel that matmul() records for the same args: the
 * benchmark labels its matmul shapes with it, so a label cannot disagree with what ran. Checked
 * against the entry point matmul() actually asks the GPU for, on a stand-in Gpu (no device needed).
 */
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import type { Program } from '../../src/gpu/program.ts';
import type { Tensor } from '../../src/gpu/tensor.ts';
import { matmul, matmulPath, type MatmulArgs } from '../../src/ops/matmul.ts';

/** A Gpu that records which shader module and entry point matmul() asks for. */
function fakeGpu(subgroups: boolean, cpuEmulated: boolean): { gpu: Gpu; entries: string[] } {
  const entries: string[] = [];
  const gpu = {
    features: { subgroups, f16: false },
    cpuEmulated,
    kernel: (module: string, entry: string) => {
      entries.push(`${module}:${entry}`);
      return {} as GPUComputePipeline;
    },
  } as unknown as Gpu;
  return { gpu, entries };
}

/** The path an entry point belongs to. */
function pathOfEntry(entry: string): string {
  if (entry.startsWith('matmul_quad:')) return 'quad';
  if (entry === 'matmul:matmul') return 'scalar';
  if (/^matmul:matmul_n[nt]_vec4$/.test(entry)) return 'vec4';
  throw new Error(`unknown entry ${entry}`);
}

const t = {} as Tensor;
const base = { a: t, b: t, c: t };
const CASES: [string, Omit<MatmulArgs, 'a' | 'b' | 'c'>][] = [
  ['aligned x·Wᵀ', { M: 16, N: 64, K: 64, transposeB: true }],
  ['K not a multiple of 4', { M: 16, N: 64, K: 770, transposeB: true }],
  ['dy·W with N not a multiple of 4', { M: 16, N: 66, K: 64, transposeB: false }],
  ['dy·W, all aligned', { M: 16, N: 64, K: 64, transposeB: false }],
  ['odd lda', { M: 16, N: 64, K: 64, lda: 65, transposeB: true }],
  ['odd ldb default (K) for x·Wᵀ', { M: 3, N: 5, K: 6, transposeB: true }],
  ['misaligned B offset', { M: 8, N: 8, K: 8, bOffset: 2, transposeB: true }],
  ['C offset only (a row chunk of a split weight)', { M: 128, N: 1000, K: 768, ldc: 50304, cOffset: 49000, transposeB: true }],
  ['forced scalar', { M: 16, N: 64, K: 64, transposeB: true, path: 'scalar' }],
];

describe('matmulPath names the kernel matmul() records', () => {
  for (const [subgroups, emulated] of [
    [true, true],
    [false, true],
    [true, false],
  ] as const) {
    for (const [name, args] of CASES) {
      it(`${name} (subgroups ${subgroups}, CPU-emulated ${emulated})`, () => {
        const { gpu, entries } = fakeGpu(subgroups, emulated);
        const prog = { gpu, dispatch: () => {} } as unknown as Program;
        const x = { ...base, ...args };
        matmul(prog, 'm', x);
        expect(entries).toHaveLength(1);
        expect(matmulPath(gpu, x)).toBe(pathOfEntry(entries[0]));
      });
    }
  }

  it('depends on the adapter and the alignment, not on a guess from K alone', () => {
    const quad = fakeGpu(true, true).gpu;
    const plain = fakeGpu(false, false).gpu;
    expect(matmulPath(quad, { ...base, M: 16, N: 64, K: 64, transposeB: true })).toBe('quad');
    expect(matmulPath(plain, { ...base, M: 16, N: 64, K: 64, transposeB: true })).toBe('vec4');
    expect(matmulPath(plain, { ...base, M: 16, N: 64, K: 770, transposeB: true })).toBe('scalar');
    expect(matmulPath(quad, { ...base, M: 16, N: 66, K: 64, transposeB: false })).toBe('scalar');
  });
});
