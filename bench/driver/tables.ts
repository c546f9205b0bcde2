/**
 * The printed report of `npm run bench`: Markdown pipe tables (docs/PERFORMANCE.md pastes them)
 * of the engine figures, the per-kernel breakdown, the compression figures and the other models'
 * ms per step, platforms side by side, and last every ms per step against issue 6's PyTorch
 * targets (bench/targets.ts), with PyTorch as measured on this machine when
 * bench/results/pytorch-cpu.json has a run on a CPU like this one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../../src/util/bytes.ts';
import type { KernelBreakdown } from '../suite/kernel-breakdown.ts';
import { hasEngineResults, type SuiteResults } from '../suite/results.ts';
import { COMPARISON_HEAD, compareSteps, comparisonCells, fastestPytorch, type MeasuredPytorch, type MeasuredStep } from '../targets.ts';
import { RESULTS } from './history.ts';

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

/** Prints every table for the platforms' results, in the order they ran. */
export function printAll(byPlatform: [string, SuiteResults][]): void {
  const cols = byPlatform.map(([p]) => p);
  const pick = (f: (r: SuiteResults) => string | number | undefined): (string | number)[] => byPlatform.map(([, r]) => f(r) ?? '-');
  const first = byPlatform[0][1];
  const fs = (r: SuiteResults) => r.engine.firstStep;

  if (hasEngineResults(first)) table('Engine (stories260k and f32 matmul)', ['measure', ...cols], [
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
