import type { Browser, Page } from '@playwright/test';

/**
 * The page's main-thread tasks, from a Chromium trace, with the CPU time each took on that thread.
 *
 * Why not the Long Tasks API: it reports wall time, and on a CI machine whose two cores also run
 * SwiftShader (the "GPU" doing the optimisation) the main thread is preempted for tens of
 * milliseconds at a time: a 50 ms render read as 105 ms under load and failed a clean-clone run.
 * Thread time counts only what the page's own code and rendering cost, which is what the lab
 * promises to keep small; how busy the machine is says nothing about the page.
 */
export interface MainThreadTask {
  /** Start, in ms on the trace's clock (compare tasks with each other only). */
  start: number;
  wallMs: number;
  cpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { frames?: { processId: number; isOutermostMainFrame?: boolean }[] } };
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

/** Runs `during` under a trace and returns every task the page's main thread ran meanwhile. */
export async function traceMainThread(browser: Browser, page: Page, during: () => Promise<void>): Promise<MainThreadTask[]> {
  await browser.startTracing(page, { categories: CATEGORIES });
  let trace: Buffer;
  try {
    await during();
  } finally {
    trace = await browser.stopTracing();
  }
  return mainThreadTasks(JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] });
}

function mainThreadTasks(trace: { traceEvents: TraceEvent[] }): MainThreadTask[] {
  const events = trace.traceEvents;
  const pid = events
    .filter((e) => e.name === 'TracingStartedInBrowser')
    .flatMap((e) => e.args?.data?.frames ?? [])
    .find((f) => f.isOutermostMainFrame)?.processId;
  if (pid === undefined) throw new Error('the trace names no main frame: was the page open when tracing started?');
  const tid = events.find((e) => e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain')?.tid;
  if (tid === undefined) throw new Error(`the trace has no CrRendererMain thread in the page's process ${pid}`);
  const tasks = events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === pid && e.tid === tid)
    .map((e) => ({ start: e.ts / 1000, wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 }));
  // No task at all would let every bound on them pass: the trace's categories no longer name them.
  if (tasks.length === 0) throw new Error(`the trace holds no RunTask of the page's main thread (categories ${CATEGORIES.join(', ')})`);
  return tasks;
}

/** The n tasks that took the most CPU, for a test's annotation. */
export function heaviest(tasks: MainThreadTask[], n = 5): MainThreadTask[] {
  return [...tasks].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, n).map((t) => ({ start: Math.round(t.start), wallMs: +t.wallMs.toFixed(1), cpuMs: +t.cpuMs.toFixed(1) }));
}
