/**
 * `npm run bench`: the engine and compression benchmarks in Node (Dawn) and in Chromium (Playwright
 * driving /usr/bin/chromium against a Vite dev server on a free 127.0.0.1 port), one after the
 * other so they never share the two cores. Appends one run per platform to
 * bench/results/engine.json and bench/results/compress.json and prints a table.
 *
 *   npm run bench                  both platforms, results saved
 *   npm run bench -- --quick       a smoke run with tiny counts (not saved unless --save)
 *   npm run bench -- --only=node   or --only=chromium
 *   npm run bench -- --no-save     print only
 *   npm run bench -- --head        measure the committed HEAD, not the working tree (see below)
 *   npm run bench -- --wait=600    wait up to 600 s (default 120) for the machine to go idle first
 *   npm run bench -- --big         also the random-weight Pythia-160M / Llama-3.2-1B shaped models (long)
 *   npm run bench -- --big-limit=S a big model's step may take S seconds (default 180) before larger N are skipped
 *   npm run bench -- --skip=a,b    leave parts out: stories, solve, matmul, matmul4096, shapes, fixtures, big
 *   npm run bench -- --with=a,b    add opt-in parts: matmul4096 (one 4096³ repetition, minutes in Node), big
 *                                  (e.g. --big --skip=stories,solve,matmul,matmul4096,shapes,fixtures: only the big models)
 *
 * By default the working tree is measured and the run's commit is marked "+dirty" when it differs
 * from HEAD. With --head the suite runs in a throwaway snapshot of HEAD (`git archive`, with its own
 * assets/ and a link to node_modules), so someone's half-edited shader in a shared checkout
 * neither breaks nor colours the numbers; results still go to this checkout's bench/results/.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../src/util/bytes.ts';
import type { AdapterInfo, BenchInput, KernelBreakdown, SuiteResults } from './shared.ts';
import { selectParts, type BenchParts } from './parts.ts';
import { COMPARISON_HEAD, compareSteps, comparisonCells, fastestPytorch, type MeasuredPytorch, type MeasuredStep } from './targets.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(REPO, 'bench', 'results');

interface Args {
  quick: boolean;
  /** Seconds to wait for other work on the machine to finish before each platform. */
  waitS: number;
  save: boolean;
  head: boolean;
  only: 'node' | 'chromium' | null;
  parts: BenchParts;
  /** --big-limit: seconds a big model's step may take before the next size is skipped. */
  bigLimitS?: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, waitS: 120, save: true, head: false, only: null, parts: selectParts(null, false) };
  let saveGiven: boolean | null = null;
  let skip: string | null = null;
  let big = false;
  let add: string | null = null;
  for (const x of argv) {
    if (x === '--quick') a.quick = true;
    else if (x === '--big') big = true;
    else if (x.startsWith('--skip=')) skip = x.slice(7);
    else if (x.startsWith('--with=')) add = x.slice(7);
    else if (x === '--head') a.head = true;
    else if (/^--wait=\d+$/.test(x)) a.waitS = Number(x.slice(7));
    else if (/^--big-limit=\d+$/.test(x)) a.bigLimitS = Number(x.slice(12));
    else if (x === '--save') saveGiven = true;
    else if (x === '--no-save') saveGiven = false;
    else if (x === '--only=node') a.only = 'node';
    else if (x === '--only=chromium' || x === '--only=browser') a.only = 'chromium';
    else throw new Error(`unknown argument ${x}; see the header of bench/run.ts`);
  }
  a.save = saveGiven ?? !a.quick;
  a.parts = selectParts(skip, big, add);
  return a;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
}

/** Short HEAD, "+dirty" when anything but bench/results/ differs from it (untracked files count: they can change what runs). */
function commitId(): string {
  const head = git('rev-parse', '--short', 'HEAD');
  const changes = git('status', '--porcelain')
    .split('\n')
    .filter((l) => l.trim() && !l.slice(3).startsWith('bench/results/'));
  return changes.length ? `${head}+dirty` : head;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The tree a run measures: this checkout, or a snapshot of HEAD. */
interface Tree {
  root: string;
  /** Vite's dependency cache (kept out of the shared node_modules for snapshots). */
  cacheDir?: string;
  /** Extra folders the dev server may serve from (node_modules behind the snapshot's link). */
  allow?: string[];
}

/**
 * HEAD, exported into `work`/repo (with its own assets/: models, fixtures, texts) and
 * repo/node_modules linking to this checkout's.
 */
function snapshotHead(work: string): Tree {
  const root = join(work, 'repo');
  mkdirSync(root);
  execFileSync('sh', ['-c', 'git archive --format=tar HEAD | tar -x -C "$1"', 'sh', root], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(root, 'bench', 'node-bench.ts')) || !existsSync(join(root, 'bench', 'browser', 'main.ts'))) {
    throw new Error('--head: HEAD has no bench/node-bench.ts or bench/browser/main.ts; commit the benchmark first');
  }
  const modules = realpathSync(join(REPO, 'node_modules'));
  if (!existsSync(join(root, 'node_modules'))) symlinkSync(modules, join(root, 'node_modules'));
  return { root, cacheDir: join(work, 'vite-cache'), allow: [root, modules] };
}

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

// ---------------------------------------------------------------------------------------------

/** Child processes to stop if the run is interrupted. */
const children = new Set<ReturnType<typeof spawn>>();

/** Runs bench/node-bench.ts of the tree under test in a child process. */
function nodeBench(tree: Tree, args: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(tree.root, 'bench', 'node-bench.ts'), ...args], {
      cwd: tree.root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.add(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`bench/node-bench.ts ${args[0]} exited with ${signal ?? code}`));
    });
  });
}

/** The texts, tokenized by the tree under test. */
async function makeInput(tree: Tree, work: string, quick: boolean): Promise<BenchInput> {
  const path = join(work, 'input.json');
  await nodeBench(tree, ['input', path, ...(quick ? ['quick'] : [])]);
  return JSON.parse(readFileSync(path, 'utf8')) as BenchInput;
}

/** The suite in Node, in a child process: Dawn's busy-polling wait must be gone before Chromium is measured. */
async function runNode(tree: Tree, work: string): Promise<SuiteResults> {
  const outPath = join(work, 'node.json');
  await nodeBench(tree, ['run', join(work, 'input.json'), outPath]);
  return JSON.parse(readFileSync(outPath, 'utf8')) as SuiteResults;
}

async function runChromium(
  tree: Tree,
  input: BenchInput,
  work: string,
  beforeClose: () => void = () => {},
): Promise<{ results: SuiteResults; version: string; modelRequests: number }> {
  const { createServer } = await import('vite');
  const { chromium } = await import('@playwright/test');
  const port = await freePort();
  const server = await createServer({
    configFile: join(tree.root, 'vite.config.ts'),
    root: tree.root,
    ...(tree.cacheDir ? { cacheDir: tree.cacheDir } : {}),
    logLevel: 'warn',
    clearScreen: false,
    // No HMR and no watcher: a file saved by someone else mid-run must not reload the page under the benchmark.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null, ...(tree.allow ? { fs: { allow: tree.allow } } : {}) },
  });
  await server.listen();
  const xdg = join(work, 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // A single 4096³ matmul or a big model's step keeps SwiftShader busy for minutes; the GPU
    // process watchdog must not count that as a hang.
    args: [...CHROMIUM_ARGS, '--disable-gpu-watchdog'],
    env: { ...process.env, XDG_RUNTIME_DIR: xdg },
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('[chromium]')) console.error(t);
      else if (m.type() === 'error') errors.push(t);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Model files travel as Range requests (no Cache Storage): their count explains most of the load time.
    let modelRequests = 0;
    page.on('request', (r) => {
      // Only stories260k's files: the fixture models load from /models/fixtures-*/ later in the run.
      if (new URL(r.url()).pathname.startsWith(`/models/${input.model}/`)) modelRequests++;
    });
    await page.goto(`http://127.0.0.1:${port}/bench/browser/index.html`, { timeout: 120_000 });
    await page.waitForFunction(() => window.protolabBench !== undefined, null, { timeout: 120_000 });
    const results = await page
      .evaluate((input) => window.protolabBench!.run(input), input)
      .catch((e: unknown) => {
        throw new Error(`${(e as Error).message}${errors.length ? `\npage errors:\n${errors.join('\n')}` : ''}`);
      });
    beforeClose();
    return { results, version: browser.version(), modelRequests };
  } finally {
    await browser.close();
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Results files.

interface Run {
  date: string;
  commit: string;
  adapter: AdapterInfo;
  host: Record<string, string | number>;
  quick?: boolean;
  results: unknown;
}

function append(file: string, runs: Run[]): void {
  const path = join(RESULTS, file);
  const doc = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { runs: Run[] }) : { runs: [] };
  doc.runs.push(...runs);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Printing.

/** A Markdown pipe table, padded so it also reads well in a terminal (docs/PERFORMANCE.md pastes these). */
function table(title: string, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(3, ...cells.map((r) => [...(r[i] ?? '')].length)));
  const pad = (c: string, i: number) => (i === 0 ? c + ' '.repeat(w[i] - [...c].length) : ' '.repeat(w[i] - [...c].length) + c);
  const line = (r: string[]) => `| ${r.map((c, i) => pad(c, i)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(head));
  console.log(`|${w.map((n, i) => (i === 0 ? ` ${'-'.repeat(n)} ` : ` ${'-'.repeat(n - 1)}: `)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Results of one platform's stories260k part, when it ran. */
type WithStories = SuiteResults & { compress: NonNullable<SuiteResults['compress']> };

function printAll(byPlatform: [string, SuiteResults][]): void {
  const cols = byPlatform.map(([p]) => p);
  const pick = (f: (r: SuiteResults) => string | number | undefined): (string | number)[] => byPlatform.map(([, r]) => f(r) ?? '-');
  const first = byPlatform[0][1];
  const fs = (r: SuiteResults) => r.engine.firstStep;

  if (first.engine.matmul.length || first.engine.matmulShapes || first.engine.firstStep) table('Engine (stories260k and f32 matmul)', ['measure', ...cols], [
    ...first.engine.matmul.map((m, i) => [`matmul ${m.size}^3 x·Wᵀ GFLOP/s${m.reps === 1 ? ' (1 repetition)' : ''}`, ...pick((r) => r.engine.matmul[i]?.gflops)]),
    ...(first.engine.matmulShapes ?? []).map((m, i) => [`matmul ${m.name} GFLOP/s${m.chunks > 1 ? ` (${m.chunks} chunks)` : ''}`, ...pick((r) => r.engine.matmulShapes?.[i]?.gflops)]),
    ...(first.engine.f16 ? [['matmul f16', ...pick((r) => r.engine.f16)]] : []),
    ...first.engine.forwardBackward.map((f, i) => [`forward+backward N=${f.N} ms`, ...pick((r) => r.engine.forwardBackward[i]?.ms)]),
    ...(first.engine.firstStep
      ? [
          ['device ms', ...pick((r) => fs(r)?.deviceMs)],
          ['model load ms', ...pick((r) => fs(r)?.loadMs)],
          ['model load HTTP requests', ...pick((r) => fs(r)?.modelHttpRequests)],
          ['first step ms (set-up + compile + run)', ...pick((r) => fs(r)?.firstStepMs)],
          ['time to first step ms', ...pick((r) => fs(r)?.totalMs)],
          ['peak GPU bytes, stories260k', ...pick((r) => (r.engine.peakBytesStories === undefined ? undefined : formatBytes(r.engine.peakBytesStories)))],
        ]
      : []),
    ['peak GPU bytes, whole suite', ...pick((r) => formatBytes(r.engine.peakBytes))],
  ]);

  const kb = byPlatform.filter(([, r]) => r.engine.kernels && 'groups' in r.engine.kernels) as [string, SuiteResults & { engine: { kernels: KernelBreakdown } }][];
  if (kb.length) {
    const names = kb[0][1].engine.kernels.groups.map((g) => g.kernel);
    const k0 = kb[0][1].engine.kernels;
    table(
      `Kernels of one optimisation step, N=${k0.N} (timestamp queries, ms per step; ${k0.dispatches} dispatches)`,
      ['kernel', 'count', ...kb.flatMap(([p]) => [`${p} ms`, `${p} %`])],
      [
        ...names.map((n) => {
          const g0 = k0.groups.find((g) => g.kernel === n)!;
          return [n, g0.count, ...kb.flatMap(([, r]) => {
            const g = r.engine.kernels.groups.find((x) => x.kernel === n);
            return g ? [g.ms.toFixed(2), g.pct.toFixed(1)] : ['-', '-'];
          })];
        }),
        ['sum of kernels', '', ...kb.flatMap(([, r]) => [r.engine.kernels.kernelMs.toFixed(2), ''])],
        ['wall, profiled submission', '', ...kb.flatMap(([, r]) => [r.engine.kernels.profiledWallMs.toFixed(2), ''])],
        ['wall, plain submission', '', ...kb.flatMap(([, r]) => [r.engine.kernels.plainWallMs.toFixed(2), ''])],
      ],
    );
    for (const [p, r] of kb) if (r.engine.kernels.note) console.log(`  ${p}: ${r.engine.kernels.note}`);
  }

  const withStories = byPlatform.filter(([, r]) => r.compress) as [string, WithStories][];
  if (withStories.length) {
    const c0 = withStories[0][1].compress;
    const pickC = (f: (r: WithStories) => string | number | undefined) => withStories.map(([, r]) => f(r) ?? '-');
    table('Compression (stories260k, PAPER_SETTINGS)', ['measure', ...withStories.map(([p]) => p)], [
      ...c0.stepMs.map((s, i) => [`ms per step, N=${s.N}`, ...pickC((r) => (r.compress.stepMs[i] ? `${r.compress.stepMs[i].msPerStep} (${r.compress.stepMs[i].steps} steps)` : undefined))]),
      ...c0.solve.map((s, i) => [
        `to accuracy 1.0: ${s.id} (N=${s.N})`,
        ...pickC((r) => {
          const x = r.compress.solve[i];
          return x ? `${x.seconds.toFixed(1)} s, ${x.steps} steps${x.solved ? '' : ` (${x.stoppedBy}, ${x.bestCorrect}/${x.N})`}` : undefined;
        }),
      ]),
    ]);
  }

  const modelRows = byPlatform.flatMap(([p, r]) => r.models.map((m) => ({ p, m })));
  if (modelRows.length) {
    table('Other models: ms per optimisation step (random target tokens)', ['model', 'N', 'platform', 'ms/step', 'steps timed', 'first step ms', 'load ms', 'GPU bytes'], modelRows.map(({ p, m }) => [
      m.model,
      m.N,
      p,
      m.msPerStep ?? `- (${m.reason ?? 'not measured'})`,
      m.steps,
      m.warmupMs ?? '-',
      m.loadMs ?? '-',
      m.gpuBytes === undefined ? '-' : formatBytes(m.gpuBytes),
    ]));
    for (const { p, m } of modelRows) {
      const k = m.kernels;
      if (!k || !('groups' in k)) continue;
      const top = k.groups.slice(0, 8).map((g) => `${g.kernel} ${g.ms.toFixed(1)} ms (${g.pct.toFixed(0)} %)`);
      console.log(`  ${p}, ${m.model} N=${m.N}: kernels sum to ${k.kernelMs.toFixed(1)} ms per step over ${k.dispatches} dispatches; largest: ${top.join(', ')}`);
    }
  }

  const steps: MeasuredStep[] = byPlatform.flatMap(([p, r]) => [
    ...(r.compress?.stepMs ?? []).map((s) => ({ platform: p, model: 'stories260k', N: s.N, msPerStep: s.msPerStep })),
    ...r.models.map((m) => ({ platform: p, model: m.model, N: m.N, msPerStep: m.msPerStep, ...(m.reason ? { reason: m.reason } : {}) })),
  ]);
  if (steps.length) {
    const here = pytorchHere();
    const note = Object.keys(here).length ? 'PyTorch here: the fastest bench/pytorch/step.py run on this CPU model and core count' : 'PyTorch here: none recorded for this CPU (run bench/pytorch/step.py --save)';
    table(
      `ms per optimisation step vs PyTorch CPU (issue 6: the issue's figures, targets set for chromium and shown in CAPITALS; ${note})`,
      COMPARISON_HEAD,
      comparisonCells(compareSteps(steps, here)),
    );
  }
}

/** bench/results/pytorch-cpu.json (bench/pytorch/step.py --save), if this machine has one. */
function pytorchHere(): MeasuredPytorch {
  const file = join(RESULTS, 'pytorch-cpu.json');
  return existsSync(file) ? fastestPytorch(JSON.parse(readFileSync(file, 'utf8')), { model: cpus()[0].model.trim(), cores: cpus().length }) : {};
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const commit = args.head ? git('rev-parse', '--short', 'HEAD') : commitId();
  const date = new Date().toISOString();
  const work = mkdtempSync(join(tmpdir(), 'protolab-bench-'));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children) c.kill('SIGTERM');
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  }
  const host = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  const done: [string, SuiteResults, Record<string, string | number>][] = [];
  try {
    const tree: Tree = args.head ? snapshotHead(work) : { root: REPO };
    if (args.head) console.error(`== measuring a snapshot of HEAD (${commit}) in ${tree.root}`);
    const input: BenchInput = { ...(await makeInput(tree, work, args.quick)), parts: args.parts, ...(args.bigLimitS ? { bigLimitS: args.bigLimitS } : {}) };
    writeFileSync(join(work, 'input.json'), JSON.stringify(input));
    console.error(`== parts: ${Object.entries(args.parts).filter(([, on]) => on).map(([k]) => k).join(', ')}`);
    // busyCoresBefore: other work on the machine just before the platform started (0 is clean);
    // otherCoresDuring: cores other processes used while it ran (0 is clean; 1 = half of a 2-core machine);
    // loadAvg1After: the 1-minute load average when it finished (our own work included).
    if (args.only !== 'chromium') {
      const busy = await waitForQuiet(args.quick ? 0 : args.waitS * 1000);
      console.error('== Node (Dawn)');
      const { value: results, otherCores } = await withOthersCores(() => runNode(tree, work));
      done.push(['node', results, { ...host, busyCoresBefore: busy ?? 'unknown', otherCoresDuring: otherCores ?? 'unknown', loadAvg1After: Number(loadavg()[0].toFixed(2)) }]);
    }
    if (args.only !== 'node') {
      const busy = await waitForQuiet(args.quick ? 0 : args.waitS * 1000);
      console.error('== Chromium');
      const { value, otherCores } = await withOthersCores((stop) => runChromium(tree, input, work, stop));
      if (value.results.engine.firstStep) value.results.engine.firstStep.modelHttpRequests = value.modelRequests;
      done.push(['chromium', value.results, { ...host, chromium: value.version, busyCoresBefore: busy ?? 'unknown', otherCoresDuring: otherCores ?? 'unknown', loadAvg1After: Number(loadavg()[0].toFixed(2)) }]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  console.log(`\nnpm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}: ${date}, commit ${commit}`);
  for (const [p, r, h] of done) {
    const a = r.adapter;
    console.log(`  ${p}: ${a.vendor} / ${a.architecture} (${a.description}), ${h.cpus} x ${h.cpu}; cores used by other processes: ${h.busyCoresBefore} before, ${h.otherCoresDuring} during`);
  }
  printAll(done.map(([p, r]) => [p, r]));
  for (const [p, r] of done) console.log(`  ${p}: seconds per part: ${Object.entries(r.partSeconds ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (args.save) {
    const run = (r: SuiteResults, h: Record<string, string | number>, results: unknown): Run => ({
      date,
      commit,
      adapter: r.adapter,
      host: h,
      ...(args.quick ? { quick: true } : {}),
      results,
    });
    const files: string[] = [];
    const save = (file: string, runs: Run[]) => {
      if (!runs.length) return;
      append(file, runs);
      files.push(file);
    };
    // --skip'd parts leave their file alone; `parts` in each run says what ran.
    save('engine.json', done.filter(([, r]) => r.engine.matmul.length || r.engine.matmulShapes || r.engine.firstStep).map(([, r, h]) => run(r, h, { parts: args.parts, partSeconds: r.partSeconds, ...r.engine })));
    save('compress.json', done.filter(([, r]) => r.compress).map(([, r, h]) => run(r, h, r.compress)));
    save('models.json', done.filter(([, r]) => r.models.length).map(([, r, h]) => run(r, h, { partSeconds: r.partSeconds, models: r.models })));
    console.log(`\nappended ${done.length} run(s) to bench/results/${files.join(', ')} (commit ${commit})`);
  }
  console.log(`bench: ${((performance.now() - t0) / 1000).toFixed(0)} s, of which ${(waitedMs / 1000).toFixed(0)} s waiting for an idle machine`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
