/**
 * Other people's load on the machine, recorded with every platform's run: on two cores any other
 * job (a test run, another benchmark) shows straight up in the numbers. Before a platform it waits
 * for the machine to go quiet; while the platform runs it counts the cores used by processes that
 * are not ours (Linux /proc); both readings and the load average afterwards go into the run's
 * `host` record, so a slow run can be told from a slow engine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Busy jiffies and all jiffies of the whole machine (Linux /proc/stat), or null elsewhere. */
function cpuTicks(): { busy: number; all: number } | null {
  try {
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const all = f.reduce((a, b) => a + b, 0);
    return { busy: all - f[3] - (f[4] ?? 0), all };
  } catch {
    return null;
  }
}

/** Fields 3.. of /proc/<pid>/stat (f[0] is the state, field 3), or null if the process is gone. */
function procStat(pid: number | 'self'): number[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  } catch {
    return null;
  }
}

/** utime + stime + cutime + cstime: the process and its children already reaped. */
const ticksOf = (f: number[]): number => f[11] + f[12] + f[13] + f[14];

/**
 * CPU ticks used by this process and all its descendants, live (Chromium and its helpers while
 * the browser is open) or reaped (the Node child after it exited), or null off Linux.
 */
function ownTicks(): number | null {
  const self = procStat('self');
  if (!self) return null;
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = procStat(Number(name));
    if (!f) continue;
    parent.set(Number(name), f[1]);
    ticks.set(Number(name), ticksOf(f));
  }
  let total = ticksOf(self);
  const queue = [process.pid];
  while (queue.length) {
    const p = queue.pop()!;
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      total += ticks.get(child) ?? 0;
      queue.push(child);
    }
  }
  return total;
}

/**
 * Measures how many cores other processes kept busy while `fn` ran: machine-wide busy time minus
 * ours and our descendants' (all in USER_HZ ticks), over the elapsed time. `fn` may call `stop`
 * to end the measurement early (before closing the browser, whose helpers are not all reaped by us).
 */
async function withOthersCores<T>(fn: (stop: () => void) => Promise<T>): Promise<{ value: T; otherCores: number | null }> {
  const m0 = cpuTicks();
  const o0 = ownTicks();
  let end: { m: ReturnType<typeof cpuTicks>; o: number | null } | null = null;
  const stop = () => {
    end ??= { m: cpuTicks(), o: ownTicks() };
  };
  const value = await fn(stop);
  stop();
  const { m: m1, o: o1 } = end!;
  if (!m0 || !m1 || o0 === null || o1 === null || m1.all === m0.all) return { value, otherCores: null };
  const others = m1.busy - m0.busy - (o1 - o0);
  return { value, otherCores: Number(Math.max(0, (others / (m1.all - m0.all)) * cpus().length).toFixed(2)) };
}

/** Average busy cores over `ms` (other people's work, when sampled before a run). */
async function busyCores(ms: number): Promise<number | null> {
  const a = cpuTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTicks();
  if (!a || !b || b.all === a.all) return null;
  return Number((((b.busy - a.busy) / (b.all - a.all)) * cpus().length).toFixed(2));
}

/** Time spent in waitForQuiet, reported apart from the benchmark's own time. */
let waitedMs = 0;

/** ms spent so far waiting for a quiet machine. */
export function quietWaitMs(): number {
  return waitedMs;
}

/**
 * The machine should be idle before a platform is measured: on two cores any other job (a test
 * run, another benchmark) shows straight up in the numbers. Waits up to `maxWaitMs` for fewer
 * than 0.3 busy cores and returns the last reading, which is stored with the run.
 */
async function waitForQuiet(maxWaitMs: number): Promise<number | null> {
  const start = performance.now();
  try {
    return await pollQuiet(start, maxWaitMs);
  } finally {
    waitedMs += performance.now() - start;
  }
}

async function pollQuiet(start: number, maxWaitMs: number): Promise<number | null> {
  for (let i = 0; ; i++) {
    const busy = await busyCores(2000);
    if (busy === null || busy < 0.3) return busy;
    if (performance.now() - start > maxWaitMs) {
      console.error(`!! the machine is busy (${busy} cores in use by other processes): these numbers will be slower than usual`);
      return busy;
    }
    if (i % 10 === 0) console.error(`.. waiting up to ${Math.round(maxWaitMs / 1000)} s for the machine to go quiet (${busy} cores busy)`);
  }
}

/** How loaded the machine was around one platform's run: stored in its results' `host` record. */
export interface LoadRecord {
  /** Other work on the machine just before the platform started (0 is clean). */
  busyCoresBefore: number | 'unknown';
  /** Cores other processes used while it ran (0 is clean; 1 = half of a 2-core machine). */
  otherCoresDuring: number | 'unknown';
  /** The 1-minute load average when it finished (our own work included). */
  loadAvg1After: number;
}

/**
 * Runs one platform (`fn`, announced as `label`) after waiting up to `maxWaitMs` for a quiet
 * machine, and returns its value with the load record of that run. Both platforms go through this,
 * so their records are measured the same way.
 */
export async function onQuietMachine<T>(label: string, maxWaitMs: number, fn: (stop: () => void) => Promise<T>): Promise<{ value: T; load: LoadRecord }> {
  const busy = await waitForQuiet(maxWaitMs);
  console.error(`== ${label}`);
  const { value, otherCores } = await withOthersCores(fn);
  return { value, load: { busyCoresBefore: busy ?? 'unknown', otherCoresDuring: otherCores ?? 'unknown', loadAvg1After: Number(loadavg()[0].toFixed(2)) } };
}
