import { formatDuration } from '../format.ts';

/**
 * A long task's progress: a bar, the share done, the running time and the estimated time left
 * (issue 5 §5). `fraction` null: the amount of work is not known yet (an indeterminate bar).
 * `bound`: the work counted is the most it can take (a run may stop early), so the time left is too.
 */
export function TaskProgress({ label, fraction, elapsedMs, etaMs, testId, note, bound = false }: { label: string; fraction: number | null; elapsedMs?: number | null; etaMs?: number | null; testId: string; note?: string; bound?: boolean }) {
  const pct = fraction === null ? null : Math.max(0, Math.min(100, 100 * fraction));
  return (
    <div className="task-progress" data-testid={testId}>
      <progress max={100} value={pct ?? undefined} aria-label={label} />
      <span className="task-progress-text">
        <span>{label}</span>
        {pct !== null && <span data-testid={`${testId}-percent`}>{pct.toFixed(pct < 10 ? 1 : 0)} %</span>}
        {elapsedMs != null && <span>elapsed {formatDuration(elapsedMs)}</span>}
        {/* An indeterminate task (no known amount of work) shows only its running time. */}
        {(fraction !== null || etaMs != null) && <span data-testid={`${testId}-eta`}>{etaMs != null ? `${bound ? 'at most about' : 'about'} ${formatDuration(etaMs)} left` : 'time left: estimating…'}</span>}
        {note && <span className="muted">{note}</span>}
      </span>
    </div>
  );
}
