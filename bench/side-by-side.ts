/**
 * Issue 6 measured side by side: the lab's optimisation step (Node, Dawn, this machine's adapter)
 * and the same step in PyTorch on the CPU (bench/pytorch/step.py), alternated on the same machine
 * in the same minutes, several rounds, medians compared.
 *
 *   npx tsx bench/side-by-side.ts [--model DIR] [--n 16,32,64,128,256] [--rounds 5] [--budget 2]
 *                                 [--python /usr/bin/python3] [--no-save]
 *
 * Why not compare with a PyTorch run from another time: on this shared 2-core host both sides
 * drift by 15-30 % between runs minutes apart, and PyTorch's own samples spread further (stories260k
 * at N = 128: 16.7-29.5 ms within one run), more than some of the gaps being judged. Alternating
 * the two within one round (the order flipped every round, so a slow minute lands on both sides)
 * and taking medians over rounds makes the ratio the measured quantity; the median of the
 * per-round ratios is reported too.
 *
 * Results are appended to bench/results/side-by-side.json, one run per invocation: every sample,
 * the medians and their ratio per N, with date, commit, CPU, adapter and the PyTorch side's torch
 * and BLAS. Needs python3 with torch (Debian: python3-torch, libopenblas0-pthread); not run by
 * the tests, which check the schedule, the parsing and the summary below.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'd3';

export type Side = 'pytorch' | 'lab';

export interface Slot {
  round: number;
  N: number;
  side: Side;
}

/**
 * The order of measurements: per round, every N, both sides back to back; the side that goes first
 * alternates by round and by N, so neither always runs right after the other's warm-up.
 */
export function schedule(ns: number[], rounds: number): Slot[] {
  const out: Slot[] = [];
  for (let round = 0; round < rounds; round++) {
    ns.forEach((N, i) => {
      const pytorchFirst = (round + i) % 2 === 0;
      const order: Side[] = pytorchFirst ? ['pytorch', 'lab'] : ['lab', 'pytorch'];
      for (const side of order) out.push({ round, N, side });
    });
  }
  return out;
}

/** ms per step from step.py's stdout (one JSON line per N: {"model", "N", "ms_per_step", "steps"}). */
export function parseStepPy(stdout: string, N: number): number {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as { N?: number; ms_per_step?: number };
    if (r.N === N && typeof r.ms_per_step === 'number') return r.ms_per_step;
  }
  throw new Error(`bench/pytorch/step.py printed no result for N = ${N}; its output was:\n${stdout.trim() || '(nothing)'}`);
}

export interface Sample extends Slot {
  ms: number;
}

export interface Row {
  N: number;
  pytorch: number[];
  lab: number[];
  pytorchMedian: number;
  labMedian: number;
  /** lab median over PyTorch median: below 1 the lab is faster. */
  ratio: number;
  /** The median over rounds of each round's lab / PyTorch: uses the pairing the alternation sets up. */
  pairedRatio: number;
}

export function summarise(samples: Sample[]): Row[] {
  const ns = [...new Set(samples.map((s) => s.N))].sort((a, b) => a - b);
  return ns.map((N) => {
    const of = (side: Side) => samples.filter((s) => s.N === N && s.side === side).map((s) => s.ms);
    const pytorch = of('pytorch');
    const lab = of('lab');
    if (!pytorch.length || !lab.length) throw new Error(`N = ${N}: a side has no sample`);
    const pytorchMedian = median(pytorch)!;
    const labMedian = median(lab)!;
    const byRound = (side: Side) => new Map(samples.filter((s) => s.N === N && s.side === side).map((s) => [s.round, s.ms]));
    const [p, l] = [byRound('pytorch'), byRound('lab')];
    const perRound = [...l.keys()].filter((r) => p.has(r)).map((r) => l.get(r)! / p.get(r)!);
    return {
      N,
      pytorch,
      lab,
      pytorchMedian,
      labMedian,
      ratio: Number((labMedian / pytorchMedian).toFixed(3)),
      pairedRatio: Number(median(perRound)!.toFixed(3)),
    };
  });
}

export function table(model: string, rows: Row[]): string {
  const lines = [
    `| ${model} N | PyTorch ms (median) | lab ms (median) | lab / PyTorch | same round, median | PyTorch samples | lab samples |`,
    '|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.N} | ${r.pytorchMedian.toFixed(1)} | ${r.labMedian.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${r.pairedRatio.toFixed(2)}× | ${r.pytorch.join(', ')} | ${r.lab.join(', ')} |`);
  }
  return lines.join('\n');
}

interface Args {
  model: string;
  ns: number[];
  rounds: number;
  budgetS: number;
  python: string;
  save: boolean;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv: string[]): Args {
  const a: Args = { model: join(REPO, '..', 'shared', 'models', 'stories260k'), ns: [16, 32, 64, 128, 256], rounds: 5, budgetS: 2, python: '/usr/bin/python3', save: true };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--model') a.model = resolve(value());
    else if (x === '--n') a.ns = value().split(',').map(Number);
    else if (x === '--rounds') a.rounds = Number(value());
    else if (x === '--budget') a.budgetS = Number(value());
    else if (x === '--python') a.python = value();
    else if (x === '--no-save') a.save = false;
    else throw new Error(`unknown argument ${x}; see the header of bench/side-by-side.ts`);
  }
  if (!a.ns.every((n) => Number.isInteger(n) && n > 0)) throw new Error('--n takes positive integers, comma-separated');
  if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error('--rounds takes a positive integer');
  if (!(a.budgetS > 0)) throw new Error('--budget takes seconds > 0');
  if (!existsSync(join(a.model, 'config.json'))) throw new Error(`${a.model} has no config.json: --model takes a Hugging Face model folder`);
  return a;
}

/** torch's version and the BLAS it mapped (it sets PyTorch's speed here: see docs/PERFORMANCE.md). */
function pythonInfo(python: string): string {
  const code = [
    'import torch',
    'torch.ones(64, 64) @ torch.ones(64, 64)',
    "libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.split()[-1]})",
    "print('torch ' + torch.__version__ + ', ' + (', '.join(libs) or 'no BLAS mapped'))",
  ].join('\n');
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${python} cannot import torch (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); install python3-torch or pass --python`);
  return `${r.stdout.trim()}, OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? '1 (step.py default)'}`;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const torch = pythonInfo(a.python);
  // Imported here so the pure parts above load without Dawn (the tests import them).
  const { createNodeGpu } = await import('../src/gpu/node.ts');
  const { loadModel } = await import('../src/model/load.ts');
  const { nodeFolderSource } = await import('../src/model/sources/node-folder.ts');
  const { timeSteps } = await import('../src/prototokens/step-timing.ts');
  const { randomTokens } = await import('./suite/model-steps.ts');
  const gpu = await createNodeGpu();
  const model = await loadModel(gpu, nodeFolderSource(a.model + '/'));
  const samples: Sample[] = [];
  for (const slot of schedule(a.ns, a.rounds)) {
    let ms: number;
    if (slot.side === 'pytorch') {
      const r = spawnSync(a.python, [join(REPO, 'bench', 'pytorch', 'step.py'), '--model', a.model, '--n', String(slot.N), '--budget', String(a.budgetS)], { encoding: 'utf8', cwd: REPO });
      if (r.status !== 0) throw new Error(`bench/pytorch/step.py failed (exit ${r.status}): ${r.stderr.trim()}`);
      ms = parseStepPy(r.stdout, slot.N);
    } else {
      const t = await timeSteps(model, randomTokens(model.spec.vocabSize, slot.N), { warmup: 3, minSteps: 5, maxSteps: 200, budgetMs: a.budgetS * 1000 });
      ms = t.msPerStep;
    }
    samples.push({ ...slot, ms });
    console.error(`round ${slot.round + 1}/${a.rounds} N=${slot.N} ${slot.side}: ${ms} ms`);
  }
  const rows = summarise(samples);
  // Named as step.py names its runs (bench/results/pytorch-cpu.json), fixtures with their prefix.
  const name = (basename(dirname(a.model)) === 'fixtures' ? 'fixtures-' : '') + basename(a.model);
  console.log(table(name, rows));
  if (!a.save) return;
  const file = join(REPO, 'bench', 'results', 'side-by-side.json');
  const history = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: unknown[] }) : { runs: [] };
  const i = gpu.info;
  history.runs.push({
    date: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim(),
    model: name,
    modelDir: a.model,
    host: { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, node: process.version },
    adapter: { vendor: i.vendor, architecture: i.architecture, description: i.description },
    pytorch: torch,
    rounds: a.rounds,
    budgetS: a.budgetS,
    rows,
  });
  writeFileSync(file, JSON.stringify(history, null, 1) + '\n');
  console.error(`appended to ${file}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    // Dawn keeps the event loop alive; leave once the results are written.
    () => process.exit(0),
    (e: unknown) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
