import { useActions } from '../context.ts';
import { useLab } from '../store.ts';

/** Device loss, URL settings that were ignored, and errors no panel shows. */
export function Notices() {
  const error = useLab((s) => s.error);
  const lost = useLab((s) => s.deviceLost);
  const urlProblems = useLab((s) => s.urlProblems);
  const actions = useActions();
  return (
    <>
      {lost && (
        <p className="notice bad" role="alert" data-testid="device-lost">
          The GPU device was lost ({lost}). The lab reloads the model on a new device and resumes an interrupted run from its last checkpoint; finished
          solutions are in the library.
        </p>
      )}
      {urlProblems.length > 0 && (
        <p className="notice muted" data-testid="url-problems">
          From the link: {urlProblems.join('; ')}.
        </p>
      )}
      {error && (
        <p className="notice bad" role="alert" data-testid="error">
          {error}{' '}
          <button type="button" onClick={actions.dismissError}>
            Dismiss
          </button>
        </p>
      )}
    </>
  );
}
