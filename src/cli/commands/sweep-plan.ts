/**
 * `protolab sweep ... --plan`: the work list a sweep command would run, over its shards, and the
 * GPU-hours it would take, so a cluster is sized before money is spent. Step times are measured
 * here on this device's adapter (one full batch at each length the sweep reaches), or given
 * (--ms-per-step, from a GPU measured elsewhere), or derived from the step's FLOPs at an assumed
 * rate (--tflops); the output says which.
 */
import { parseConfig, type ModelSpec } from '../../model/config.ts';
import { cliShape, loadCliModel } from '../model-dir.ts';
import { fittingLengths } from '../../experiments/ladder.ts';
import { sweepTexts } from '../../experiments/jobs/sweep.ts';
import { planSweep, sweepWorkList, type PlanText, type StepTimeSource, type SweepPlan } from '../../experiments/jobs/sweep-plan.ts';
import { stepFlops } from '../../experiments/step-cost.ts';
import { timeSteps } from '../../prototokens/step-timing.ts';
import { renderTable } from '../../experiments/report-format.ts';
import { Rng } from '../../util/rng.ts';
import type { SweepFlags } from './sweep-flags.ts';

export interface PlanReport extends SweepPlan {
  model: string;
  source: string;
  seeds: number;
  maxSteps: number;
  /** false with --shape: nothing is tokenized, every text is taken to offer every length. */
  tokenized: boolean;
  expectCapacity: number | null;
  stepTime: { how: 'measured'; adapter: string; batchSequences: number; timedAs?: string } | { how: 'given'; batchSequences: number } | { how: 'flops'; tflops: number };
}

export async function runPlan(f: SweepFlags, progress: (msg: string) => void): Promise<PlanReport> {
  const plan = f.plan!;
  const positions = (N: number) => f.method.positions(N, f.settings);
  const batchSequences = f.seeds * (f.share !== 'none' ? f.group : f.pack);
  let spec: ModelSpec;
  let name: string;
  let texts: PlanText[];
  let measure: ((N: number) => Promise<number>) | undefined;
  let adapter = '';
  if (f.shape !== undefined) {
    spec = parseConfig(cliShape(f.shape).config);
    name = `shape:${f.shape}`;
    const lengths = fittingLengths({ lengths: f.lengths, maxLength: f.maxLength, maxPositions: spec.maxPositions, positions });
    if (lengths.length === 0) throw new Error(`None of the lengths fits: the model takes at most ${spec.maxPositions} positions.`);
    texts = Array.from({ length: f.texts }, (_, i) => ({ id: `text ${i}`, lengths }));
  } else {
    const { model, tokenizer } = await loadCliModel(f.model, progress, { revision: f.revision, weights: f.weights });
    spec = model.spec;
    name = model.id.split(/[\\/]/u).filter(Boolean).pop() ?? model.id;
    progress('preparing texts');
    const got = await sweepTexts({ model, tokenizer, source: f.source, texts: f.texts, lengths: f.lengths, maxLength: f.maxLength, method: f.method, settings: f.settings, textSeed: f.textSeed });
    texts = got.texts.map((t) => ({ id: t.id, lengths: got.lengths.filter((L) => L <= t.tokens.length) }));
    const i = model.gpu.info;
    adapter = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ');
    measure = async (N) => {
      progress(`timing a step at N = ${N}`);
      const rng = new Rng(N);
      const tokens = Array.from({ length: positions(N) }, () => rng.int(spec.vocabSize));
      return (await timeSteps(model, tokens, { warmup: 2, minSteps: 3, maxSteps: 50, budgetMs: 1500, seeds: batchSequences })).msPerStep;
    };
  }
  const options = { texts, seeds: f.seeds, group: f.share !== 'none' ? f.group : 1, pack: f.share !== 'none' ? 1 : f.pack, maxSteps: f.settings.maxSteps, keepGoing: f.keepGoing, shards: f.shard?.count ?? 1, expectCapacity: plan.expectCapacity };
  let src: StepTimeSource;
  let stepTime: PlanReport['stepTime'];
  if (plan.tflops !== undefined) {
    src = { flops: (N, sequences) => stepFlops(spec, positions(N), sequences), tflops: plan.tflops };
    stepTime = { how: 'flops', tflops: plan.tflops };
  } else if (plan.stepTimes) {
    src = { points: plan.stepTimes, known: 'given', batchSequences };
    stepTime = { how: 'given', batchSequences };
  } else {
    // Time a full batch at every length the plan reaches (the longest dominate the cost).
    const reached = [...new Set(sweepWorkList(options).map((w) => w.length))].sort((a, b) => a - b);
    const points = [];
    for (const N of reached) points.push({ N, ms: await measure!(N) });
    progress('');
    src = { points, known: 'measured', batchSequences };
    // The timing harness runs the proto-token step; the memory baseline's step has the same positions and layers.
    stepTime = { how: 'measured', adapter, batchSequences, ...(f.method.name === 'memory' ? { timedAs: 'a proto-token step of as many positions' } : {}) };
  }
  return { model: name, source: f.sourceName, seeds: f.seeds, maxSteps: f.settings.maxSteps, tokenized: f.shape === undefined, expectCapacity: plan.expectCapacity ?? null, stepTime, ...planSweep(options, src) };
}

const thousands = (n: number) => n.toLocaleString('en-US');
const sequences = (n: number) => `${n} sequence${n === 1 ? '' : 's'}`;
const hours = (h: number) => (h >= 100 ? thousands(Math.round(h)) : h >= 1 ? h.toFixed(1) : h.toPrecision(2));

export function printPlan(p: PlanReport, shard?: { index: number; count: number }): string {
  const rows = p.byLength.map((l) => [String(l.length), thousands(l.batches), thousands(l.attempts), thousands(l.steps), l.msPerStep.toFixed(2), l.how, hours(l.gpuHours)]);
  rows.push(['total', thousands(p.total.batches), thousands(p.total.attempts), thousands(p.total.steps), '', '', hours(p.total.gpuHours)]);
  const st = p.stepTime;
  const how =
    st.how === 'measured'
      ? `Step times measured here on ${st.adapter || 'this adapter'} (a full batch of ${sequences(st.batchSequences)} at each length${st.timedAs ? `, timed as ${st.timedAs}` : ''}), 'interpolated'/'extrapolated' between and beyond them.`
      : st.how === 'given'
        ? `Step times given with --ms-per-step (a full batch of ${sequences(st.batchSequences)}); lengths between and beyond them are 'interpolated'/'extrapolated' (in proportion to N: attention's N² makes long lengths an underestimate).`
        : `Step times from the step's floating-point operations at an assumed ${st.tflops} TFLOP/s (--tflops): an assumption, not a measurement.`;
  const lines = [
    `Plan: ${p.model}, source ${p.source}, ${p.texts} texts x ${p.seeds} seed${p.seeds === 1 ? '' : 's'}, at most ${thousands(p.maxSteps)} steps per attempt, ${p.shards} shard${p.shards === 1 ? '' : 's'}.`,
    renderTable(['length', 'batches', 'attempts', 'steps (at most)', 'ms per step', 'step time', 'GPU-hours'], rows, 'text'),
    how,
    `Steps are an upper bound: each attempt counted at its full budget, while a batch stops once its texts are solved; ${p.expectCapacity !== null ? `every text assumed to fail at its first length above ${p.expectCapacity} (--expect-capacity).` : 'every text counted up its whole ladder (a capacity sweep stops a text at its first failure: --expect-capacity C counts that).'}`,
  ];
  if (!p.tokenized) lines.push('Texts not tokenized (--shape loads nothing): each assumed to offer every length.');
  if (p.shards > 1) {
    const hs = p.perShard.map((s) => s.gpuHours);
    lines.push(`Per shard: ${hours(Math.min(...hs))} to ${hours(Math.max(...hs))} GPU-hours (the array finishes with its slowest shard).${shard ? ` Shard ${shard.index}: ${p.perShard[shard.index].texts} texts, ${thousands(p.perShard[shard.index].steps)} steps, ${hours(p.perShard[shard.index].gpuHours)} GPU-hours.` : ''}`);
  }
  if (shard) {
    const ids = [...new Set(p.items.filter((i) => i.shard === shard.index).flatMap((i) => i.texts))];
    const shown = ids.slice(0, 20).join(', ');
    lines.push(ids.length ? `Shard ${shard.index}/${shard.count} runs ${ids.length} text${ids.length === 1 ? '' : 's'}: ${shown}${ids.length > 20 ? `, ... (--json lists all)` : ''}.` : `Shard ${shard.index}/${shard.count} has no texts (the sweep has fewer parts than shards).`);
  }
  return lines.join('\n');
}
