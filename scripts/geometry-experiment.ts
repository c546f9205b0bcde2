/**
 * The geometry experiment (Figs. 5-7, issue 5 §3) from the command line, on the same engine code the
 * geometry tab runs in its worker: K PG-19 contexts, J sampled continuations each, R seeds for the
 * last one, then distances by pairing, text-vs-solution distances and linear interpolations. Prints
 * a Markdown summary (medians and quartiles per pairing, Fig. 5's mean text and solution distances
 * per group, mean interpolation accuracy) and writes the whole result as JSON.
 *
 *   npx tsx scripts/geometry-experiment.ts [--model DIR] [--k 4] [--j 4] [--r 4] [--length 16]
 *        [--steps 300] [--seed 0] [--scan 11] [--out results/stories260k/geometry.json]
 *
 * The semantic text distance here is the model's mean-pooled hidden states (MiniLM is not run in Node).
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadCliModel } from '../src/cli/model-dir.ts';
import { pg19Source } from '../src/datasets/node/sources.ts';
import { runGeometryExperiment } from '../src/geometry/jobs/experiment.ts';
import { DEFAULT_GEOMETRY, GEOMETRY_PHASE_TITLES } from '../src/geometry/experiment-types.ts';
import { chooseEmbedder, findLocalMiniLM } from '../src/geometry/text-embedder.ts';
import { distancesByKind, PAIR_KINDS } from '../src/geometry/grouping.ts';
import { boxStats } from '../src/geometry/summary.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'assets/models/stories260k' },
    k: { type: 'string', default: String(DEFAULT_GEOMETRY.contexts) },
    j: { type: 'string', default: String(DEFAULT_GEOMETRY.continuations) },
    r: { type: 'string', default: String(DEFAULT_GEOMETRY.restarts) },
    length: { type: 'string', default: String(DEFAULT_GEOMETRY.length) },
    steps: { type: 'string', default: String(DEFAULT_GEOMETRY.steps) },
    seed: { type: 'string', default: '0' },
    scan: { type: 'string', default: String(DEFAULT_GEOMETRY.scanPoints) },
    out: { type: 'string', default: 'results/stories260k/geometry.json' },
  },
});

const settings = {
  ...DEFAULT_GEOMETRY,
  contexts: Number(values.k),
  continuations: Number(values.j),
  restarts: Number(values.r),
  length: Number(values.length),
  steps: Number(values.steps),
  seed: Number(values.seed),
  scanPoints: Number(values.scan),
  embedder: 'model' as const,
};
const { model, tokenizer } = await loadCliModel(values.model, () => {});
const label = values.model!.split('/').filter(Boolean).pop()!;
const load0 = loadavg()[0];
let lastPhase = '';
const out = await runGeometryExperiment(
  {
    model,
    tokenizer,
    source: pg19Source(),
    settings,
    label,
    chooseEmbedder: async () => chooseEmbedder('model', findLocalMiniLM([]), { reachable: false, why: 'not asked' }, label),
    loadMiniLM: async () => {
      throw new Error('MiniLM is not run from the command line');
    },
  },
  {
    onProgress: (p) => {
      if (p.phase !== lastPhase) process.stderr.write(`\n${GEOMETRY_PHASE_TITLES[p.phase]}`);
      lastPhase = p.phase;
      process.stderr.write(`\r${GEOMETRY_PHASE_TITLES[p.phase]}: ${p.done}/${p.total} ${p.unit}   `);
    },
  },
);
process.stderr.write('\n');
const r = out.result;
writeFileSync(values.out!, JSON.stringify({ model: label, settings, seconds: out.seconds, result: r }) + '\n');

const f = (x: number) => x.toFixed(3);
const lines: string[] = [];
lines.push(`${label}: K=${settings.contexts} contexts, J=${settings.continuations}, R=${settings.restarts}, ${settings.length} tokens, ${settings.steps} steps, seed ${settings.seed}: ${r.solutions.length} solutions in ${out.seconds.toFixed(0)} s (load ${load0.toFixed(1)}-${loadavg()[0].toFixed(1)})`);
lines.push(`mean token accuracy ${f(r.solutions.reduce((s, x) => s + x.accuracy, 0) / r.solutions.length)}; exact: ${r.solutions.filter((s) => s.accuracy === 1).length}/${r.solutions.length}`);
lines.push('');
lines.push('| compared | pairing | pairs | median | quartiles |');
lines.push('|---|---|---|---|---|');
for (const part of ['em', 'e', 'm'] as const) {
  const by = distancesByKind(r.distances![part], r.labels);
  for (const k of PAIR_KINDS) {
    const b = boxStats(by[k]);
    if (b) lines.push(`| ${part} | ${k} | ${b.n} | ${f(b.median)} | ${f(b.q1)}-${f(b.q3)} |`);
  }
}
lines.push('');
for (const measure of ['tfidf', 'semantic'] as const) {
  for (const kind of ['same-context', 'different-context'] as const) {
    const ps = r.pairs.filter((p) => p.kind === kind);
    const mx = ps.reduce((s, p) => s + p[measure], 0) / ps.length;
    const my = ps.reduce((s, p) => s + p.solution, 0) / ps.length;
    lines.push(`Fig. 5 ${measure}, ${kind}: ${ps.length} pairs, mean text distance ${f(mx)}, mean solution distance ${f(my)}`);
  }
}
const ia = r.interpolation.map((p) => p.meanAccuracy);
lines.push(`Fig. 7: ${ia.length} same-text pairs, mean accuracy along the segment ${f(ia.reduce((s, x) => s + x, 0) / ia.length)} (min ${f(Math.min(...ia))}, max ${f(Math.max(...ia))})`);
console.log(lines.join('\n'));
// Dawn's device thread keeps Node's event loop alive; the script is done.
process.exit(0);
