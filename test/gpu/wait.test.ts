import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { throttledSettle } from '../../src/gpu/wait.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

/** CPU milliseconds this thread has used (Linux: utime + stime of /proc/thread-self, in 10 ms ticks). */
function threadCpuMs(): number {
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

describe('waiting on the GPU in Node (src/gpu/wait.ts)', () => {
  it('passes the awaited value and rejection through unchanged', async () => {
    await expect(throttledSettle(Promise.resolve(42))).resolves.toBe(42);
    await expect(throttledSettle(Promise.reject(new Error('lost')))).rejects.toThrow('lost');
    const slow = new Promise<string>((r) => setTimeout(() => r('late'), 30));
    await expect(Promise.all([throttledSettle(slow), throttledSettle(Promise.resolve('early'))])).resolves.toEqual(['late', 'early']);
  });

  it('leaves the CPU to the kernels: the thread sleeps through most of a long GPU wait', async () => {
    // Dawn's binding would tick the device from back-to-back setImmediate callbacks for the whole
    // wait (about 100 % of a core); the throttle sleeps between ticks.
    const gpu = await testGpu();
    const model = await loadModel(gpu, nodeFolderSource(`${FIXTURES}stories260k`));
    const tokens = Array.from({ length: 128 }, (_, i) => (i * 7) % 500 + 3);
    const trainer = await ProtoTrainer.create(model, singleText(tokens, 0), { ...PAPER_SETTINGS, maxSteps: 100 });
    try {
      trainer.submitSteps(2);
      await trainer.report();
      trainer.submitSteps(30);
      const cpu0 = threadCpuMs();
      const t0 = performance.now();
      await gpu.idle();
      const wallMs = performance.now() - t0;
      const cpuMs = threadCpuMs() - cpu0;
      expect(wallMs).toBeGreaterThan(300); // a wait long enough to measure
      expect(cpuMs / wallMs).toBeLessThan(0.3);
    } finally {
      trainer.destroy();
    }
  });
});
