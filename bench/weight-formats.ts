/**
 * Weight formats benchmark (issue 16): `npm run bench:formats -- [--memory-only] [--rounds=R]
 * [--pythia-n=128] [--no-pythia] [--formats=f32,f16]`
 *
 * 1. The Memory table (bench/formats/memory-table.ts): six shapes x five formats x N, from the plans.
 * 2. Per format, on this machine's adapter:
 *    - time from "load" to the first finished step, cold (a fresh device per format, so every
 *      pipeline compiles): stories260k (16 tokens) and the Pythia-160M shape (random weights,
 *      generated and encoded on the fly, N tokens);
 *    - ms per step: stories260k at N = 16, 64, 256 (timeSteps, as `protolab bench`), and the
 *      Pythia-160M shape at N (one warm-up and one timed step: each is seconds here).
 *    Formats alternate within each round (R rounds, default 3 for stories260k, 1 for Pythia), so a
 *    busy machine slows them alike; medians and minima are reported.
 * Appends one record to bench/results/weight-formats.json and writes bench/results/memory.json.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createNodeGpu } from '../src/gpu/node.ts';
import { loadModel } from '../src/model/load.ts';
import type { Model } from '../src/model/model.ts';
import { PYTHIA_160M_CONFIG } from '../src/model/shapes.ts';
import { nodeFolderSource } from '../src/model/sources/node-folder.ts';
import { randomModelSource } from '../src/model/sources/random-source.ts';
import type { ModelSource } from '../src/model/sources/source.ts';
import { BY_PRECISION, type WeightFormat } from '../src/model/weight-format.ts';
import { singleText } from '../src/prototokens/problem.ts';
import { timeSteps } from '../src/prototokens/step-timing.ts';
import { ProtoTrainer } from '../src/prototokens/trainer.ts';
import { PAPER_SETTINGS } from '../src/shared/run-settings.ts';
import { assetsDir } from '../src/util/assets-dir.ts';
import { Rng } from '../src/util/rng.ts';
import { memoryMarkdown, memoryTable } from './formats/memory-table.ts';

const { values } = parseArgs({ options: { 'memory-only': { type: 'boolean' }, rounds: { type: 'string' }, 'pythia-n': { type: 'string' }, 'no-pythia': { type: 'boolean' }, formats: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 3);
const PYTHIA_N = Number(values['pythia-n'] ?? 128);
const FORMATS = values.formats ? BY_PRECISION.filter((f) => values.formats!.split(',').includes(f)) : BY_PRECISION;

const cells = memoryTable();
writeFileSync('bench/results/memory.json', JSON.stringify({ binding_bytes: 128 * 2 ** 20, cells }, null, 2) + '\n');
console.log('## Memory (GiB; weights, and weights + a one-text trainer of N tokens)\n');
console.log(memoryMarkdown(cells));
if (values['memory-only']) process.exit(0);

const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const tokens = (n: number, V: number) => {
  const rng = new Rng(n);
  return Array.from({ length: n }, () => rng.int(V));
};
const stories = () => nodeFolderSource(`${assetsDir()}/models/stories260k`);
const pythia = () => randomModelSource(PYTHIA_160M_CONFIG, { seed: 0, describe: 'pythia-160m-shaped' });

/** Cold: fresh device, load in `f`, build a trainer, one step until the GPU is done. */
async function coldFirstStep(source: () => ModelSource, f: WeightFormat, n: number): Promise<{ loadMs: number; firstStepMs: number; model: Model; gpu: Awaited<ReturnType<typeof createNodeGpu>> }> {
  const gpu = await createNodeGpu();
  const t0 = now();
  const model = await loadModel(gpu, source(), { format: f });
  const t1 = now();
  const trainer = await ProtoTrainer.create(model, singleText(tokens(n, model.spec.vocabSize), 0), { ...PAPER_SETTINGS, maxSteps: 2 });
  trainer.submitSteps(1);
  await trainer.report();
  const t2 = now();
  trainer.destroy();
  return { loadMs: t1 - t0, firstStepMs: t2 - t1, model, gpu };
}

type Row = { model: string; format: WeightFormat; N: number; loadMs: number[]; firstStepMs: number[]; msPerStep: number[] };
const rows = new Map<string, Row>();
const row = (model: string, format: WeightFormat, N: number): Row => {
  const k = `${model}:${format}:${N}`;
  if (!rows.has(k)) rows.set(k, { model, format, N, loadMs: [], firstStepMs: [], msPerStep: [] });
  return rows.get(k)!;
};

for (let r = 0; r < ROUNDS; r++) {
  for (const f of FORMATS) {
    const c = await coldFirstStep(stories, f, 16);
    const first = row('stories260k', f, 16);
    first.loadMs.push(c.loadMs);
    first.firstStepMs.push(c.firstStepMs);
    for (const n of [16, 64, 256]) {
      const t = await timeSteps(c.model, tokens(n, c.model.spec.vocabSize), { warmup: 3, minSteps: 5, maxSteps: 100, budgetMs: 2000 });
      row('stories260k', f, n).msPerStep.push(t.msPerStep);
    }
    c.model.destroy();
    c.gpu.destroy();
    console.error(`round ${r + 1}: stories260k ${f} done`);
  }
}
if (!values['no-pythia']) {
  for (const f of FORMATS) {
    const c = await coldFirstStep(pythia, f, PYTHIA_N);
    const x = row('pythia-160m-shaped', f, PYTHIA_N);
    x.loadMs.push(c.loadMs);
    x.firstStepMs.push(c.firstStepMs);
    // The first step compiled everything: a second one is the steady state.
    const t = await timeSteps(c.model, tokens(PYTHIA_N, c.model.spec.vocabSize), { warmup: 0, minSteps: 1, maxSteps: 1, budgetMs: 0 });
    x.msPerStep.push(t.msPerStep);
    c.model.destroy();
    c.gpu.destroy();
    console.error(`pythia-160m-shaped ${f}: first step ${(c.firstStepMs / 1000).toFixed(1)} s, step ${(t.msPerStep / 1000).toFixed(1)} s`);
  }
}

const fmt = (xs: number[]) => (xs.length ? `${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)})` : '–');
console.log('\n## ms per step and cold load → first step, per format (median (min) over rounds)\n');
console.log('| model | N | format | ms per step | load ms | first step ms |');
console.log('| --- | ---: | --- | ---: | ---: | ---: |');
for (const x of rows.values()) console.log(`| ${x.model} | ${x.N} | ${x.format} | ${fmt(x.msPerStep)} | ${fmt(x.loadMs)} | ${fmt(x.firstStepMs)} |`);

const file = 'bench/results/weight-formats.json';
const history = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : [];
let commit = '';
try {
  commit = execSync('git rev-parse --short HEAD').toString().trim();
} catch {
  commit = 'unknown';
}
history.push({ date: new Date().toISOString(), commit, rounds: ROUNDS, loadavg: loadavg(), rows: [...rows.values()] });
writeFileSync(file, JSON.stringify(history, null, 2) + '\n');
