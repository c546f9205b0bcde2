import { useActions } from '../context.ts';
import { compressBlocker } from '../selectors.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';

/** Compress / Pause / Resume / Step / Stop, enabled by the run's phase (Space and S do the same). */
export function RunControls() {
  const phase = useLab((s) => s.run.phase);
  const blocker = useLab(compressBlocker);
  const actions = useActions();
  const active = runActive(phase);
  const canStart = blocker === null;
  return (
    <div className="controls" role="toolbar" aria-label="Run controls" data-testid="run-controls" data-phase={phase}>
      <button type="button" className="primary" data-testid="compress" disabled={!canStart} onClick={actions.compress} title={blocker ?? 'Start (Space)'}>
        Compress
      </button>
      <button type="button" data-testid="pause" disabled={phase !== 'running' && phase !== 'starting'} onClick={actions.pause} title="Pause (Space)">
        Pause
      </button>
      <button type="button" data-testid="resume" disabled={phase !== 'paused'} onClick={actions.resume} title="Resume (Space)">
        Resume
      </button>
      <button type="button" data-testid="step" disabled={!(phase === 'paused' || (!active && canStart))} onClick={actions.step} title="One step, then pause (S)">
        Step
      </button>
      <button type="button" data-testid="stop" disabled={!active || phase === 'stopping' || phase === 'finishing'} onClick={actions.stop}>
        Stop
      </button>
      <span className="muted run-phase" data-testid="run-phase">
        {phase === 'idle' ? (blocker ?? 'Ready.') : phase}
      </span>
    </div>
  );
}
