/**
 * Issue 6's yardsticks: a PyTorch CPU implementation of the same optimisation step (forward,
 * backward to the input embeddings, AdamW on e and m), measured on these 2-core machines and
 * quoted in the issue. The target is "no slower than PyTorch" and the stretch "half its time";
 * the issue sets them for Chromium on SwiftShader, the other platforms are shown for comparison.
 */
export const PYTORCH_CPU_MS: Record<string, Record<number, number>> = {
  stories260k: { 16: 20, 32: 25, 64: 50, 128: 108, 256: 237 },
  'fixtures-gpt-neox-tiny': { 16: 120, 64: 460, 256: 1720 },
};

/**
 * PyTorch measured on the machine itself by bench/pytorch/step.py (bench/results/pytorch-cpu.json):
 * for each model and N, its fastest run. The figures were measured elsewhere, so the
 * benchmark shows this next to them when the file exists.
 */
export type MeasuredPytorch = Record<string, Record<number, number>>;

interface PytorchHistory {
  runs: { date: string; model: string; host: { cpu: string; cores: number }; results: { N: number; ms_per_step: number }[] }[];
}

/**
 * The fastest ms per step per model and N among the runs made on a CPU like this one (model name
 * and core count). The fastest, not the latest: PyTorch's speed here depends on how its threads are
 * set (bench/pytorch/step.py's docstring: OpenBLAS on one thread per caller is 2-7x faster for
 * stories260k, while for the large shapes each setting wins at some sizes) and varies by 30 % from
 * run to run, so the yardstick is PyTorch at its best here.
 */
export function fastestPytorch(history: PytorchHistory, cpu: { model: string; cores: number }): MeasuredPytorch {
  const out: MeasuredPytorch = {};
  for (const run of history.runs) {
    if (run.host.cpu !== cpu.model || run.host.cores !== cpu.cores) continue;
    for (const r of run.results) {
      const byN = (out[run.model] ??= {});
      byN[r.N] = Math.min(byN[r.N] ?? Infinity, r.ms_per_step);
    }
  }
  return out;
}

/** The platform the targets are set for. */
export const TARGET_PLATFORM = 'chromium';

export interface MeasuredStep {
  platform: string;
  model: string;
  N: number;
  msPerStep: number | null;
  /** Why there is no number. */
  reason?: string;
}

export type Verdict = 'met' | 'not met' | 'no reference' | 'not measured';

export interface ComparisonRow {
  platform: string;
  model: string;
  N: number;
  msPerStep: number | null;
  pytorchCpuMs: number | null;
  /** ms per step over PyTorch's: below 1 is faster. */
  ratio: number | null;
  /** No slower than PyTorch. */
  target: Verdict;
  /** At most half of PyTorch's time. */
  stretch: Verdict;
  /** true where the issue sets the target (Chromium). */
  counts: boolean;
  reason?: string;
  /** PyTorch measured on this machine (bench/pytorch/step.py), when there is a run for this model and N. */
  pytorchHereMs: number | null;
  ratioHere: number | null;
}

export function compareSteps(measured: MeasuredStep[], here: MeasuredPytorch = {}): ComparisonRow[] {
  const ratio = (ms: number | null, ref: number | null) => (ref !== null && ms !== null ? Number((ms / ref).toFixed(2)) : null);
  return measured.map((m) => {
    const ref = PYTORCH_CPU_MS[m.model]?.[m.N] ?? null;
    const refHere = here[m.model]?.[m.N] ?? null;
    const verdict = (limit: number | null): Verdict => {
      if (m.msPerStep === null) return 'not measured';
      if (limit === null) return 'no reference';
      return m.msPerStep <= limit ? 'met' : 'not met';
    };
    return {
      platform: m.platform,
      model: m.model,
      N: m.N,
      msPerStep: m.msPerStep,
      pytorchCpuMs: ref,
      ratio: ratio(m.msPerStep, ref),
      target: verdict(ref),
      stretch: verdict(ref === null ? null : ref / 2),
      counts: m.platform === TARGET_PLATFORM && ref !== null,
      ...(m.reason ? { reason: m.reason } : {}),
      pytorchHereMs: refHere,
      ratioHere: ratio(m.msPerStep, refHere),
    };
  });
}

/** Rows for a printed table: model, N, platform, ms, PyTorch, ratio, target, stretch, PyTorch here, ratio to it. */
export function comparisonCells(rows: ComparisonRow[]): string[][] {
  return rows.map((r) => [
    r.model,
    String(r.N),
    r.platform,
    r.msPerStep === null ? `- (${r.reason ?? 'not measured'})` : r.msPerStep.toFixed(1),
    r.pytorchCpuMs === null ? '-' : String(r.pytorchCpuMs),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.counts ? r.target.toUpperCase() : r.target,
    r.counts ? r.stretch.toUpperCase() : r.stretch,
    r.pytorchHereMs === null ? '-' : String(r.pytorchHereMs),
    r.ratioHere === null ? '-' : `${r.ratioHere.toFixed(2)}x`,
  ]);
}

export const COMPARISON_HEAD = [
  'model',
  'N',
  'platform',
  'ms/step',
  'PyTorch CPU ms (issue)',
  'ours/PyTorch',
  'target (<= PyTorch)',
  'stretch (<= half)',
  'PyTorch here ms',
  'ours/PyTorch here',
];
