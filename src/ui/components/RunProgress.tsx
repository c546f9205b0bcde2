import { memo } from 'react';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { TaskProgress } from './TaskProgress.tsx';

/**
 * The compression's progress against its step budget, and the time left at the current speed.
 * A run that solves its text stops early, so the time left is an upper bound ("at most").
 */
export const RunProgress = memo(function RunProgress() {
  const phase = useLab((s) => s.run.phase);
  const latest = useLab((s) => s.run.latest);
  const maxSteps = useLab((s) => s.run.settings.maxSteps);
  if (!runActive(phase)) return null;
  const step = latest?.step ?? 0;
  const eta = latest && latest.stepsPerSec > 0 ? ((maxSteps - step) / latest.stepsPerSec) * 1000 : null;
  return (
    <TaskProgress
      testId="run-progress"
      label={`${phase === 'paused' ? 'paused — ' : ''}step ${step} of at most ${maxSteps}`}
      fraction={step / maxSteps}
      elapsedMs={latest?.elapsedMs ?? null}
      etaMs={eta}
      bound
      note="stops early once every token is right"
    />
  );
});
