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
 *
 * This file is the entry: what to run, in which order, and the report. The pieces live in
 * bench/driver/ (command line, tree under test, the two platforms, machine load, results files,
 * tables); what is measured lives in bench/suite/, the same code on both platforms.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from './driver/args.ts';
import { runChromium } from './driver/chromium-platform.ts';
import { saveRuns, type PlatformRun } from './driver/history.ts';
import { onQuietMachine, quietWaitMs } from './driver/machine-load.ts';
import { children, makeInput, runNode } from './driver/node-platform.ts';
import { printAll } from './driver/tables.ts';
import { commitId, git, REPO, snapshotHead, type Tree } from './driver/tree.ts';
import type { BenchInput } from './suite/results.ts';

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
  const done: PlatformRun[] = [];
  try {
    const tree: Tree = args.head ? snapshotHead(work) : { root: REPO };
    if (args.head) console.error(`== measuring a snapshot of HEAD (${commit}) in ${tree.root}`);
    const input: BenchInput = { ...(await makeInput(tree, work, args.quick)), parts: args.parts, ...(args.bigLimitS ? { bigLimitS: args.bigLimitS } : {}) };
    writeFileSync(join(work, 'input.json'), JSON.stringify(input));
    console.error(`== parts: ${Object.entries(args.parts).filter(([, on]) => on).map(([k]) => k).join(', ')}`);
    // One platform after the other, never both at once: they would share the two cores.
    const waitMs = args.quick ? 0 : args.waitS * 1000;
    if (args.only !== 'chromium') {
      const { value: results, load } = await onQuietMachine('Node (Dawn)', waitMs, () => runNode(tree, work));
      done.push(['node', results, { ...host, ...load }]);
    }
    if (args.only !== 'node') {
      const { value, load } = await onQuietMachine('Chromium', waitMs, (stop) => runChromium(tree, input, work, stop));
      if (value.results.engine.firstStep) value.results.engine.firstStep.modelHttpRequests = value.modelRequests;
      done.push(['chromium', value.results, { ...host, chromium: value.version, ...load }]);
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
    const files = saveRuns(done, { date, commit, quick: args.quick, parts: args.parts });
    console.log(`\nappended ${done.length} run(s) to bench/results/${files.join(', ')} (commit ${commit})`);
  }
  console.log(`bench: ${((performance.now() - t0) / 1000).toFixed(0)} s, of which ${(quietWaitMs() / 1000).toFixed(0)} s waiting for an idle machine`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
