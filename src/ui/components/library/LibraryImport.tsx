import { useActions } from '../../context.ts';
import { useFileDrop } from '../../use-file-drop.ts';
import { useLab } from '../../store.ts';

/** Drop or pick .safetensors files (or zips of them); the worker checks each against the loaded model. */
export function LibraryImport() {
  const actions = useActions();
  const busy = useLab((s) => s.library.busy);
  const imports = useLab((s) => s.library.imports);
  const modelReady = useLab((s) => s.model.state === 'ready');
  const { dragging, dropProps } = useFileDrop(({ files }) => actions.libraryImport(files));
  return (
    <div
      className={`library-drop${dragging ? ' dragging' : ''}`}
      data-testid="library-drop"
      {...dropProps}
    >
      <label className="file-button">
        Import solutions…
        <input
          type="file"
          multiple
          accept=".safetensors,.zip"
          data-testid="library-file"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length > 0) void actions.libraryImport(files);
          }}
        />
      </label>{' '}
      <span className="muted">or drop .safetensors files or a .zip here{modelReady ? '' : ' (load the model they were made with first: each file is checked against it)'}.</span>
      {busy && <p aria-live="polite">{busy}…</p>}
      {imports.length > 0 && (
        <ul className="library-imports" data-testid="library-imports">
          {imports.map((o, i) => (
            <li key={i} data-ok={o.ok} className={o.ok ? 'ok' : 'bad'}>
              {o.ok ? (
                <>
                  kept <b>{o.name}</b>: decodes to “{o.text}” ({o.cTokens} / {o.N} tokens)
                </>
              ) : (
                <>
                  refused <b>{o.name}</b>: <span data-testid="import-reason">{o.reason}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
