/**
 * Which checkpointed runs are still alive in some tab. A page holds one Web Lock per optimisation
 * it is running; the browser drops the lock when that tab closes, reloads or crashes, so a kept
 * checkpoint whose lock nobody holds is an interrupted run, and one whose lock is held belongs to
 * a run going on in another tab (not offered for resuming there).
 */
const PREFIX = 'protolab-run-';

function locks(): LockManager | null {
  return (globalThis.navigator as Navigator | undefined)?.locks ?? null;
}

/** Holds the run's lock until the returned function is called. */
export function holdRunLock(id: string): () => void {
  const manager = locks();
  if (!manager) return () => undefined;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  void manager.request(PREFIX + id, () => held);
  return release;
}

/** Ids of the runs some tab is running now. */
export async function liveRunIds(): Promise<Set<string>> {
  const manager = locks();
  if (!manager) return new Set();
  const { held = [] } = await manager.query();
  return new Set(held.flatMap((l) => (l.name?.startsWith(PREFIX) ? [l.name.slice(PREFIX.length)] : [])));
}
