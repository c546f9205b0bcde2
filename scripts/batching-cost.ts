/**
 * What batched restarts cost (issue 4 §2, "8 seeds in one batch cost at most 3x the wall time of
 * one seed"): ms per optimisation step for one seed of an N-token text against S seeds of it in
 * one batch, at several N, with the engine's own step timing (timeSteps, src/prototokens/step-timing.ts).
 * For reference it also times one seed of a text S·N tokens long (where that fits the model): the
 * same number of input rows as the batch in one sequence (--no-reference leaves it out).
 *
 *   npx tsx scripts/batching-cost.ts [--model DIR] [--lengths 4,8,16,32,64] [--seeds 8] [--repeats 3]
 *        [--profile 16] [--no-reference] [--json FILE]
 *
 * The three cases are timed alternately, `repeats` times each; the median and the fastest (least
 * disturbed by other jobs on the machine) are reported. With
 * --profile N, the GPU time of one step's dispatches (timestamp queries, kernelBreakdown of the
 * benchmark) is summed for 1 seed and for S seeds at that N: how much of the step is kernel work
 * and how it grows with the batch. Prints Markdown tables on stdout.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createNodeGpu } from '../src/gpu/node.ts';
import { loadModel } from '../src/model/load.ts';
import { nodeFolderSource } from '../src/model/sources/node-folder.ts';
import { timeSteps, type StepTimingOptions } from '../src/prototokens/step-timing.ts';
import { Rng } from '../src/util/rng.ts';
import { kernelBreakdown } from '../bench/suite/kernel-breakdown.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'assets/models/stories260k' },
    lengths: { type: 'string', default: '4,8,16,32,64' },
    seeds: { type: 'string', default: '8' },
    repeats: { type: 'string', default: '3' },
    budget: { type: 'string', default: '3000' },
    profile: { type: 'string' },
    'no-reference': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
  strict: true,
});
const lengths = values.lengths.split(',').map(Number);
const S = Number(values.seeds);
const repeats = Number(values.repeats);
const t0 = performance.now();

const gpu = await createNodeGpu();
const model = await loadModel(gpu, nodeFolderSource(values.model));
const rng = new Rng(0);
const tokens = Array.from({ length: S * Math.max(...lengths) }, () => rng.int(model.spec.vocabSize));
const opts = (seeds: number): StepTimingOptions => ({ warmup: 3, minSteps: 5, maxSteps: 300, budgetMs: Number(values.budget), seeds });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loads: number[] = [];
// Warm-up: builds every pipeline both batch sizes use, so the first timed case pays no compiles.
await timeSteps(model, tokens.slice(0, lengths[0]), { ...opts(1), budgetMs: 200 });
await timeSteps(model, tokens.slice(0, lengths[0]), { ...opts(S), budgetMs: 200 });

interface Row {
  N: number;
  one: number[];
  batch: number[];
  long: number[] | null;
  dispatches: number;
}
const rows: Row[] = [];
for (const N of lengths) {
  const row: Row = { N, one: [], batch: [], long: S * N <= model.spec.maxPositions && !values['no-reference'] ? [] : null, dispatches: 0 };
  for (let r = 0; r < repeats; r++) {
    loads.push(loadavg()[0]);
    const a = await timeSteps(model, tokens.slice(0, N), opts(1));
    const b = await timeSteps(model, tokens.slice(0, N), opts(S));
    row.one.push(a.msPerStep);
    row.batch.push(b.msPerStep);
    row.dispatches = b.dispatchesPerStep;
    if (row.long) row.long.push((await timeSteps(model, tokens.slice(0, S * N), opts(1))).msPerStep);
  }
  rows.push(row);
  process.stderr.write(`N = ${N}: 1 seed ${median(row.one)} ms, ${S} seeds ${median(row.batch)} ms per step\n`);
}

const i = gpu.info;
console.log(`${values.model}, adapter ${[i.vendor, i.architecture, i.description].filter(Boolean).join(' ')}; median of ${repeats}, ms per optimisation step; 1-minute load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`);
console.log(`| N | 1 seed, median (min) | ${S} seeds in one batch, median (min) | ratio of medians (of mins) | 1 seed of ${S}·N tokens, median (min) |`);
console.log('|---:|---:|---:|---:|---:|');
const mm = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)})`;
for (const r of rows) {
  const ratio = `${(median(r.batch) / median(r.one)).toFixed(2)}x (${(Math.min(...r.batch) / Math.min(...r.one)).toFixed(2)}x)`;
  console.log(`| ${r.N} | ${mm(r.one)} | ${mm(r.batch)} | ${ratio} | ${r.long ? mm(r.long) : '-'} |`);
}
console.log(`\n${rows[0]?.dispatches ?? 0} dispatches per step whatever the batch; run time ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
let profile: unknown = null;
if (values.profile) {
  const N = Number(values.profile);
  const [a, b] = [await kernelBreakdown(model, tokens.slice(0, N), 5, 1), await kernelBreakdown(model, tokens.slice(0, N), 5, S)];
  profile = { a, b };
  if ('groups' in a && 'groups' in b) {
    console.log(`\nGPU time per step at N = ${N} (sum of each dispatch's timestamp interval, median of 5; wall: the same step submitted alone):\n`);
    console.log(`| | 1 seed | ${S} seeds | ratio |`);
    console.log('|---|---:|---:|---:|');
    console.log(`| kernels, ms | ${a.kernelMs.toFixed(1)} | ${b.kernelMs.toFixed(1)} | ${(b.kernelMs / a.kernelMs).toFixed(2)}x |`);
    console.log(`| wall, ms | ${a.plainWallMs.toFixed(1)} | ${b.plainWallMs.toFixed(1)} | ${(b.plainWallMs / a.plainWallMs).toFixed(2)}x |`);
    for (const g of b.groups.slice(0, 6)) {
      const g1 = a.groups.find((x) => x.kernel === g.kernel);
      console.log(`| ${g.kernel} (x${g.count}), ms | ${g1 ? g1.ms.toFixed(2) : '-'} | ${g.ms.toFixed(2)} | ${g1 && g1.ms > 0 ? `${(g.ms / g1.ms).toFixed(1)}x` : '-'} |`);
    }
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ model: values.model, seeds: S, repeats, adapter: i, loads, rows, profile }, null, 1)}\n`);
gpu.destroy?.();
// Dawn's device thread keeps Node's event loop alive: leave once the results are written.
process.exit(0);
