import { memo, useState } from 'react';
import { useActions } from '../context.ts';
import { useFileDrop } from '../use-file-drop.ts';
import { formatBytes } from '../format.ts';
import { parseModelRef } from '../model-ref.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { ModelStatus } from './ModelStatus.tsx';
import { WeightsSelect } from './WeightFormats.tsx';

// The choosers sit in one fieldset that is disabled while a model loads or a run goes on, so a
// change of phase re-renders only this panel's frame, not every button.

const ServedModels = memo(function ServedModels() {
  const catalog = useLab((s) => s.catalog);
  const current = useLab((s) => (s.model.state === 'none' ? '' : s.model.ref));
  const actions = useActions();
  return (
    <div data-testid="model-list" data-state={catalog.state}>
      {catalog.state === 'loading' && <p>Loading /models/index.json…</p>}
      {catalog.state === 'error' && <p className="bad">{catalog.reason}</p>}
      {catalog.state === 'ready' && catalog.models.length === 0 && (
        <p className="muted">No served models. Set PROTOLAB_MODELS and restart the dev server, or use the Hub or a local folder.</p>
      )}
      {catalog.state === 'ready' && catalog.models.length > 0 && (
        <ul className="model-list">
          {catalog.models.map((m) => (
            <li key={m.name} data-model={m.name} className={current === m.name ? 'current' : undefined}>
              <button type="button" onClick={() => actions.loadServed(m.name)} aria-pressed={current === m.name}>
                {m.name}
              </button>{' '}
              <span className="muted">
                {m.files.length} files, {formatBytes(m.bytes)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});

const HubForm = memo(function HubForm() {
  const actions = useActions();
  const linked = parseModelRef(useLab((s) => s.settings.model));
  const [repo, setRepo] = useState(linked?.kind === 'hub' ? linked.repo : '');
  const [revision, setRevision] = useState(linked?.kind === 'hub' ? linked.revision : 'main');
  return (
    <form
      className="row"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (repo.trim()) actions.loadHub(repo, revision);
      }}
    >
      <label>
        Hub repo <input data-testid="hub-repo" value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="owner/name" spellCheck={false} />
      </label>
      <label>
        revision <input data-testid="hub-revision" value={revision} onChange={(e) => setRevision(e.target.value)} size={10} spellCheck={false} />
      </label>
      <button type="submit" disabled={repo.trim() === ''}>
        Load from Hub
      </button>
    </form>
  );
});

const FolderPicker = memo(function FolderPicker() {
  const actions = useActions();
  return (
    <div className="row">
      <label className="file-button">
        Local folder…
        <input
          type="file"
          data-testid="model-folder"
          webkitdirectory=""
          multiple
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length > 0) actions.loadFiles(files);
          }}
        />
      </label>
      <span className="muted">or drop a model folder (config.json, tokenizer.json, *.safetensors) here</span>
    </div>
  );
});

/** Served models, a Hub repo, or a local folder (picked or dropped); the load's progress and result. */
export function ModelPanel() {
  const locked = useLab((s) => s.model.state === 'loading' || runActive(s.run.phase));
  const actions = useActions();
  const { dragging, dropProps } = useFileDrop(({ files, folder }) => files.length > 0 && actions.loadFiles(files, folder), !locked);

  return (
    <section
      className={`panel model-panel${dragging ? ' dragging' : ''}`}
      aria-labelledby="model-heading"
      {...dropProps}
    >
      <h2 id="model-heading">Model</h2>
      <fieldset className="plain" disabled={locked}>
        <WeightsSelect />
        <ServedModels />
        <HubForm />
        <FolderPicker />
      </fieldset>
      <ModelStatus />
    </section>
  );
}
