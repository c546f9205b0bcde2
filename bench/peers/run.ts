/**
 * `npm run bench:peers`: the lab's proto-token step against the same step written with
 * TensorFlow.js (webgpu, wasm) and jax-js (webgpu, wasm), stories260k, in one Chromium page on
 * the same adapter (bench/peers/index.html), issue 21.
 *
 *   npm run bench:peers -- --n 16,64,128,256 [--rounds 5] [--sample-ms 1500] [--sides ours,tfjs-webgpu,...]
 *                          [--limit-ms 15000] [--no-isolation] [--no-save] [--json]
 *
 * 1. Golden check: every peer's loss and e / m gradients at the fixture's e, m and 32 targets
 *    against the float64 values (a peer that misses is reported with its reason and still timed).
 * 2. Time to first step, per side, each in a fresh browser: backend start (adapter and device, or
 *    the wasm module), weights over HTTP, building the step and its first run (kernel compiles).
 * 3. Per N: every side built and warmed up in the one page, then `rounds` rounds; in each round
 *    every side times one sample of back-to-back steps (about sample-ms of work, waited for at
 *    the end), the sides' order rotated and reversed between rounds so a slow minute is shared.
 *    A side whose warm step takes over limit-ms is not timed at that N (the reason is recorded).
 * Appends the run to bench/results/peers.json and prints a Markdown table (--json: the run as JSON).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { onQuietMachine } from '../driver/machine-load.ts';
import { commitId, REPO } from '../driver/tree.ts';
import { Rng } from '../../src/util/rng.ts';
import type { GoldenProto } from './golden-check.ts';
import { startSession } from './browser.ts';
import type { Prepared, SerialProblem } from './main.ts';
import { SIDES, type SideName } from './sides-list.ts';
import { roundOrder, stepsFor, summariseSide, table, verdicts, type SideRow } from './summary.ts';

interface Args {
  ns: number[];
  rounds: number;
  sampleMs: number;
  limitMs: number;
  sides: SideName[];
  isolate: boolean;
  save: boolean;
  json: boolean;
  firstStepN: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { ns: [16, 64, 128, 256], rounds: 5, sampleMs: 1500, limitMs: 15_000, sides: [...SIDES], isolate: true, save: true, json: false, firstStepN: 16 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = (): string => inline ?? argv[++i];
    if (flag === '--n') a.ns = value().split(',').map(Number);
    else if (flag === '--rounds') a.rounds = Number(value());
    else if (flag === '--sample-ms') a.sampleMs = Number(value());
    else if (flag === '--limit-ms') a.limitMs = Number(value());
    else if (flag === '--first-step-n') a.firstStepN = Number(value());
    else if (flag === '--sides') a.sides = value().split(',') as SideName[];
    else if (flag === '--no-isolation') a.isolate = false;
    else if (flag === '--no-save') a.save = false;
    else if (flag === '--json') a.json = true;
    else throw new Error(`bench:peers: unknown argument ${argv[i]} (see bench/peers/run.ts)`);
  }
  for (const s of a.sides) if (!SIDES.includes(s)) throw new Error(`bench:peers: unknown side ${s}; the sides are ${SIDES.join(', ')}`);
  if (!a.ns.every((n) => Number.isInteger(n) && n >= 2) || !(a.rounds >= 1)) throw new Error('bench:peers: --n takes whole numbers >= 2, --rounds at least 1');
  return a;
}

/** N random target tokens and N(0, 1) starting vectors, seeded by N: what a step costs does not depend on them. */
function problemFor(N: number, vocab: number, hidden: number): SerialProblem {
  const rng = new Rng(N);
  return {
    targets: Array.from({ length: N }, () => rng.int(vocab)),
    e: Array.from({ length: hidden }, () => rng.normal()),
    m: Array.from({ length: hidden }, () => rng.normal()),
    adamw: { lr: 0.01, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0.01 },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.error(line);
  const t0 = performance.now();
  const date = new Date().toISOString();
  const commit = commitId();
  const golden = (JSON.parse(readFileSync(join(REPO, 'assets/fixtures/stories260k/golden.json'), 'utf8')) as { prototoken: GoldenProto }).prototoken;
  const config = JSON.parse(readFileSync(join(REPO, 'assets/models/stories260k/config.json'), 'utf8')) as { vocab_size: number; hidden_size: number };
  const problem = (N: number): SerialProblem => problemFor(N, config.vocab_size, config.hidden_size);
  const session = await startSession({ isolate: args.isolate, log });
  const { value: run, load } = await onQuietMachine('Chromium: peers', 60_000, async () => {
    try {
      // Time to first step: one fresh browser per side, nothing warm.
      const firstStep: Record<string, unknown> = {};
      for (const side of args.sides) {
        const { browser, page } = await session.open();
        try {
          firstStep[side] = await page.evaluate(([s, p]) => window.protolabPeers!.firstStep(s, p), [side, problem(args.firstStepN)] as const);
        } catch (e) {
          firstStep[side] = { reason: (e as Error).message.split('\n')[0] };
        } finally {
          await browser.close();
        }
        log(`first step ${side}: ${JSON.stringify(firstStep[side])}`);
      }
      const { browser, page } = await session.open();
      try {
        const check: Record<string, unknown> = {};
        for (const side of args.sides.filter((s) => s !== 'ours')) {
          check[side] = await page.evaluate(([s, g]) => window.protolabPeers!.check(s, g), [side, golden] as const);
          log(`golden ${side}: ${JSON.stringify(check[side])}`);
        }
        // After the checks: the backends' notes (wasm threads) are known once they have started.
        const info = await page.evaluate(() => window.protolabPeers!.info());
        check.ours = 'checked by test/model/stories260k.test.ts and test/prototokens/trainer.test.ts (not re-run here)';
        const rows: SideRow[] = [];
        for (const N of args.ns) {
          const prepared = new Map<SideName, Prepared>();
          const reasons = new Map<SideName, string>();
          for (const side of args.sides) {
            try {
              const p = await page.evaluate(([s, pb, lim]) => window.protolabPeers!.prepare(s, pb, lim), [side, problem(N), args.limitMs] as const);
              if (p.warmMs > args.limitMs) reasons.set(side, `a ${p.warmMs === p.firstMs ? 'first' : 'warm'} step took ${Math.round(p.warmMs)} ms, over the ${args.limitMs} ms limit`);
              prepared.set(side, p);
            } catch (e) {
              reasons.set(side, (e as Error).message.split('\n')[0]);
            }
          }
          const timed = args.sides.filter((s) => prepared.has(s) && !reasons.has(s));
          const samples = new Map<SideName, number[]>(timed.map((s) => [s, []]));
          const steps = new Map<SideName, number>(timed.map((s) => [s, stepsFor(prepared.get(s)!.warmMs, args.sampleMs)]));
          for (let r = 0; r < args.rounds; r++) {
            for (const side of roundOrder(timed, r)) {
              samples.get(side)!.push(await page.evaluate(([s, n, k]) => window.protolabPeers!.time(s, n, k), [side, N, steps.get(side)!] as const));
            }
            log(`N = ${N} round ${r + 1}/${args.rounds}: ${timed.map((s) => `${s} ${samples.get(s)!.at(-1)!.toFixed(1)}`).join(', ')} ms/step`);
          }
          for (const side of args.sides) {
            const p = prepared.get(side);
            rows.push(summariseSide(side, N, samples.get(side) ?? [], { stepsPerSample: steps.get(side) ?? 0, dispatches: p?.dispatches ?? null, ownCount: p?.ownCount ?? null, firstMs: p ? Math.round(p.firstMs) : null, ...(reasons.has(side) ? { reason: reasons.get(side) } : {}) }));
            await page.evaluate(([s, n]) => window.protolabPeers!.release(s, n), [side, N] as const);
          }
        }
        return { info, check, firstStep, rows, chromium: browser.version() };
      } finally {
        await browser.close();
      }
    } finally {
      await session.close();
    }
  });
  const record = {
    date,
    commit,
    model: 'stories260k',
    command: `npm run bench:peers -- ${process.argv.slice(2).join(' ')}`.trim(),
    host: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, chromium: run.chromium, ...load },
    adapter: run.info.adapter,
    crossOriginIsolated: run.info.crossOriginIsolated,
    sides: run.info.sides,
    settings: { rounds: args.rounds, sampleMs: args.sampleMs, limitMs: args.limitMs, firstStepN: args.firstStepN },
    golden: run.check,
    firstStep: run.firstStep,
    rows: run.rows,
    verdicts: verdicts(run.rows),
  };
  if (args.save) {
    const file = join(REPO, 'bench/results/peers.json');
    const history = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: unknown[] }) : { runs: [] };
    history.runs.push(record);
    writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
  }
  if (args.json) {
    console.log(JSON.stringify(record, null, 1));
    return;
  }
  const a = record.adapter;
  console.log(`\n${record.command}: ${date}, commit ${commit}; ${a ? `${a.vendor} / ${a.architecture} (${a.description})` : 'no adapter'}; cross-origin isolated: ${record.crossOriginIsolated}`);
  for (const [s, d] of Object.entries(record.sides)) console.log(`  ${s}: ${d}`);
  console.log('\nms per step, median / min over rounds:\n');
  console.log(table(record.rows, args.sides));
  console.log('\ntime to first step (ms):');
  for (const [s, f] of Object.entries(record.firstStep)) console.log(`  ${s}: ${JSON.stringify(f)}`);
  console.log('\ndispatches per step (WebGPU sides, counted on the encoder):');
  for (const r of record.rows) if (r.dispatches !== null || r.ownCount !== null) console.log(`  N = ${r.N} ${r.side}: ${r.dispatches ?? '-'} (own count ${r.ownCount ?? '-'})`);
  console.log(`\nbench:peers: ${((performance.now() - t0) / 1000).toFixed(0)} s${args.save ? ', appended to bench/results/peers.json' : ''}`);
}

// An explicit process exit (not a test): Playwright's and Vite's handles would keep Node alive after the run.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
