/**
 * src/util/bytes.ts is the one byte formatter: the engine's messages (GpuAllocationError, weights,
 * trainer), the refusal of oversized solution files, the command line, the benchmark tables and
 * the UI panels (src/ui/format.ts re-exports it) all print sizes through it.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/util/bytes.ts';
import { formatBytes as uiFormatBytes } from '../../src/ui/format.ts';
import { GpuAllocationError } from '../../src/gpu/gpu.ts';
import { MAX_SOLUTION_BYTES, solutionSizeProblem } from '../../src/util/solution-size.ts';

describe('formatBytes', () => {
  it('picks the unit at each power of 1024, one decimal below GiB and two from it', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [1040128, '1015.8 KiB'],
      [(1 << 20) - 1, '1024.0 KiB'],
      [1 << 20, '1.0 MiB'],
      [16 << 20, '16.0 MiB'],
      [17 << 20, '17.0 MiB'],
      [(1 << 30) - 1, '1024.0 MiB'],
      [1 << 30, '1.00 GiB'],
      [1.5 * 2 ** 30, '1.50 GiB'],
      [24 * 2 ** 30, '24.00 GiB'],
    ];
    expect(cases.map(([n]) => formatBytes(n))).toEqual(cases.map(([, s]) => s));
  });

  it('is the one the UI panels use', () => {
    expect(uiFormatBytes).toBe(formatBytes);
  });

  it('writes the engine allocation errors and the oversized-solution refusal', () => {
    expect(new GpuAllocationError(4 << 20, 1 << 20, 'logits').message).toBe(
      'Cannot allocate logits: 4.0 MiB asked for, this GPU allows 1.0 MiB. Use a shorter text, a smaller batch or a smaller model.',
    );
    expect(new GpuAllocationError(1536, 512 << 10, 'x', 1 << 30).message).toMatch(/^Cannot allocate x: 1\.5 KiB asked for with 1\.00 GiB already in use, the GPU memory budget is 512\.0 KiB\. /);
    expect(solutionSizeProblem('weights.safetensors', 17 << 20)).toMatch(/^weights\.safetensors is 17\.0 MiB, too big for a solution file \(at most 16\.0 MiB: /);
    expect(solutionSizeProblem('big.bin', 3 * 2 ** 30)).toMatch(/^big\.bin is 3\.00 GiB, too big/);
    expect(solutionSizeProblem('a.safetensors', MAX_SOLUTION_BYTES)).toBeNull();
  });
});
