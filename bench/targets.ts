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
}

export function compareSteps(measured: MeasuredStep[]): ComparisonRow[] {
  return measured.map((m) => {
    const ref = PYTORCH_CPU_MS[m.model]?.[m.N] ?? null;
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
      ratio: ref !== null && m.msPerStep !== null ? Number((m.msPerStep / ref).toFixed(2)) : null,
      target: verdict(ref),
      stretch: verdict(ref === null ? null : ref / 2),
      counts: m.platform === TARGET_PLATFORM && ref !== null,
      ...(m.reason ? { reason: m.reason } : {}),
    };
  });
}

/** Rows for a printed table: model, N, platform, ms, PyTorch, ratio, target, stretch. */
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
  ]);
}

export const COMPARISON_HEAD = ['model', 'N', 'platform', 'ms/step', 'PyTorch CPU ms', 'ours/PyTorch', 'target (<= PyTorch)', 'stretch (<= half)'];
