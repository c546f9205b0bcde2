import { modelShortName } from '../../../library/names.ts';
import { useActions } from '../../context.ts';
import { formatDuration } from '../../format.ts';
import { jobBlocker } from '../../selectors.ts';
import { useLab } from '../../store.ts';

/** Runs that were interrupted (reload, crash, closed tab) and can continue from their last checkpoint. */
export function ResumeOffer() {
  const actions = useActions();
  const checkpoints = useLab((s) => s.library.checkpoints);
  const busy = useLab(jobBlocker);
  const model = useLab((s) => (s.model.state === 'ready' ? s.model.info : null));
  if (checkpoints.length === 0) return null;
  return (
    <section className="panel resume-offer" data-testid="resume-offer" aria-label="Interrupted runs">
      <h2>Interrupted run{checkpoints.length > 1 ? 's' : ''}</h2>
      <ul>
        {checkpoints.map((c) => {
          const sameModel = model?.fingerprint === c.modelFingerprint;
          const modelName = c.modelLabel || modelShortName(c.modelId);
          return (
            <li key={c.id} data-testid="resume-item" data-id={c.id}>
              “{c.text.length > 60 ? `${c.text.slice(0, 60)}…` : c.text}” on {modelName}
              {c.method?.kind === 'memory' ? ` (${c.method.K} memory token${c.method.K === 1 ? '' : 's'})` : ''}: step {c.step} of {c.settings.maxSteps}, {c.bestCorrect} / {c.ids.length} tokens best,{' '}
              {formatDuration(c.elapsedMs)} run, saved {new Date(c.savedAt).toLocaleString()}.{' '}
              <button
                type="button"
                data-testid="resume-run"
                disabled={busy !== null || !sameModel}
                title={busy ?? (sameModel ? 'Continue from the checkpoint' : `Load ${modelName} first`)}
                onClick={() => void actions.libraryResume(c.id)}
              >
                Resume
              </button>{' '}
              <button type="button" data-testid="resume-discard" onClick={() => void actions.libraryDiscardCheckpoint(c.id)}>
                Discard
              </button>
              {!sameModel && <span className="muted"> (load {modelName} to resume it)</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
