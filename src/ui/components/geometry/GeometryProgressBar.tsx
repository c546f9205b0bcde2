import { memo } from 'react';
import { useLab } from '../../store.ts';
import { TaskProgress } from '../TaskProgress.tsx';
import { GEOMETRY_PHASES, GEOMETRY_PHASE_TITLES } from '../../../geometry/experiment-types.ts';
import { formatDuration } from '../../format.ts';

/** Which phase the experiment is in, how far, and the time left in that phase. */
export const GeometryProgressBar = memo(function GeometryProgressBar() {
  const g = useLab((s) => s.geometry);
  if (g.phase === 'idle') {
    // A start the worker refused (another job running, bad source, ...) says why here.
    return g.error ? (
      <p className="bad" data-testid="geo-error">
        {g.error}
      </p>
    ) : null;
  }
  if (g.phase === 'done') {
    return (
      <p className="muted" data-testid="geo-finished">
        {g.stoppedBy === 'stopped' ? 'Stopped' : 'Finished'}
        {g.seconds !== null ? ` after ${formatDuration(g.seconds * 1000)}` : ''}
        {g.error ? '' : '.'}
        {g.error && <span className="bad"> {g.error}</span>}
      </p>
    );
  }
  const p = g.progress;
  if (!p) return <TaskProgress label={g.phase === 'stopping' ? 'stopping…' : 'starting…'} fraction={null} testId="geo-progress" />;
  const k = GEOMETRY_PHASES.indexOf(p.phase);
  const label = `${g.phase === 'stopping' ? 'stopping after ' : ''}phase ${k + 1}/${GEOMETRY_PHASES.length}: ${GEOMETRY_PHASE_TITLES[p.phase]}, ${p.done}/${p.total} ${p.unit}`;
  return <TaskProgress label={label} fraction={p.total > 0 ? p.done / p.total : null} elapsedMs={p.elapsedMs} etaMs={p.phaseLeftMs} testId="geo-progress" note="time left is for this phase" />;
});
