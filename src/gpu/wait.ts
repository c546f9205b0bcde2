/**
 * Waiting on the GPU without stealing a CPU core.
 *
 * Dawn's Node binding resolves a pending promise (mapAsync, onSubmittedWorkDone, popErrorScope)
 * by ticking the device from back-to-back setImmediate callbacks, so the main thread spins at
 * 100 % for as long as the GPU works. On a CPU emulator that core is one the kernels need:
 * SwiftShader on a 2-core machine ran 40 steps of stories260k at N = 128 at 124 ms per step when
 * the engine awaited directly, and at 81 ms when the thread slept through the same work.
 *
 * So in Node, while any engine wait is pending, one throttle sleeps the event loop between
 * Dawn's ticks (Atomics.wait on the thread: Node allows it on the main thread, browsers do not).
 * Each sleep is 5 % of the time waited so far, between 0.05 and 1 ms, so a wait ends at most
 * about that much after the GPU finishes. Browsers wait without spinning: there `settle` is the
 * identity.
 */

type Settle = <T>(p: Promise<T>) => Promise<T>;

let hook: Settle = (p) => p;

/** Every engine wait on the GPU goes through this (Gpu.readMany, Gpu.idle, Gpu.checked, and the out-of-memory scopes of weights.ts and trainer.ts). */
export function settle<T>(p: Promise<T>): Promise<T> {
  return hook(p);
}

/** The platform module picks the policy once (node.ts installs `throttledSettle`). */
export function setSettlePolicy(policy: Settle): void {
  hook = policy;
}

const MIN_SLEEP_MS = 0.05;
const MAX_SLEEP_MS = 1;
const SLEEP_FRACTION = 0.05;

let pending = 0;
let since = 0;
let sleeper: Int32Array | null = null;
// One throttle chain at most: a wait that starts while the last one's tick is still queued reuses it.
let looping = false;

function throttle(): void {
  if (pending === 0) {
    looping = false;
    return;
  }
  const ms = Math.min(MAX_SLEEP_MS, Math.max(MIN_SLEEP_MS, (performance.now() - since) * SLEEP_FRACTION));
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
  setImmediate(throttle);
}

export const throttledSettle: Settle = (p) => {
  if (pending++ === 0) since = performance.now();
  if (!looping) {
    looping = true;
    setImmediate(throttle);
  }
  return p.finally(() => {
    pending--;
  });
};
