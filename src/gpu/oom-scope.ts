import type { Gpu } from './gpu.ts';
import { settle } from './wait.ts';
import { formatBytes } from '../util/bytes.ts';

/**
 * Builds GPU objects inside an out-of-memory error scope. A real GPU reports running out of memory
 * asynchronously, through the scope, not by throwing; caught here, what was made is destroyed and
 * the error says the size asked for, in the words of `explain(asked, why)`, with how to get under
 * it. Every job that allocates per request (trainers, path scans, hidden states) builds through it.
 */
export async function withOomScope<T extends { destroy(): void }>(gpu: Gpu, build: () => T, explain: (asked: string, why: string) => string): Promise<T> {
  const before = gpu.bytesAllocated;
  gpu.device.pushErrorScope('out-of-memory');
  let made: T | undefined;
  try {
    made = build();
  } finally {
    const oom = await settle(gpu.device.popErrorScope());
    if (oom) {
      const asked = gpu.bytesAllocated - before;
      made?.destroy();
      throw new Error(explain(formatBytes(asked), oom.message));
    }
  }
  return made;
}
