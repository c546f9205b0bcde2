/**
 * The page side of the worker protocol without a worker: a port that records what the page sends
 * and replies as the engine would, for tests of the UI's actions and controllers.
 */
import type { ModelReady } from '../../src/ui/state.ts';
import type { WorkerPort } from '../../src/worker/client.ts';
import type { FromWorker, ToWorker } from '../../src/worker/protocol.ts';

/** Polls `ok` every 5 ms until it holds; fails after `ms`. */
export async function until(ok: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class FakePort implements WorkerPort {
  sent: ToWorker[] = [];
  private onMessage: ((ev: MessageEvent) => void) | null = null;
  postMessage(message: unknown): void {
    this.sent.push(message as ToWorker);
  }
  addEventListener(type: 'message' | 'error', listener: (ev: never) => void): void {
    if (type === 'message') this.onMessage = listener as (ev: MessageEvent) => void;
  }
  terminate(): void {}
  /** Delivers a message from the "worker" to the page. */
  reply(msg: FromWorker): void {
    this.onMessage?.({ data: msg } as MessageEvent);
  }
  /** The next message of `type` the page sends at or after index `from` (waits for it). */
  async next<T extends ToWorker['type']>(type: T, from = 0): Promise<Extract<ToWorker, { type: T }>> {
    await until(() => this.sent.slice(from).some((m) => m.type === type));
    return this.sent.slice(from).find((m) => m.type === type) as Extract<ToWorker, { type: T }>;
  }
}

/** stories260k as the worker announces it once loaded. */
export function storiesReady(label = 'stories260k'): ModelReady {
  return {
    type: 'modelReady',
    id: 'stories260k',
    label,
    fingerprint: 'fp-stories',
    spec: { arch: 'llama', family: 'llama', vocabSize: 512, hidden: 64, layers: 5, heads: 8, kvHeads: 4, maxPositions: 512, parameterCount: 260_000, bosTokenId: 1 },
    adapter: { vendor: 'x', architecture: 'x', description: 'x', isFallbackAdapter: true, cpuEmulated: true },
    seconds: 1,
    memory: { format: 'f32', weightBytes: 1040128, inUse: 1040128, available: 8 * 2 ** 30, n: 128, formats: [{ format: 'f32', weightBytes: 1040128, totalBytes: 1400000, fits: true }, { format: 'q8', weightBytes: 280000, totalBytes: 640000, fits: true }] },
  };
}
