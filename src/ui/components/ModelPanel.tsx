import { useState, type DragEvent } from 'react';
import { useActions } from '../context.ts';
import { filesFromDrop } from '../dropped-files.ts';
import { parseModelRef } from '../model-ref.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { ModelStatus } from './ModelStatus.tsx';
import { formatBytes } from '../format.ts';

/** Served models, a Hub repo, or a local folder (picked or dropped); the load's progress and result. */
export function ModelPanel() {
  const catalog = useLab((s) => s.catalog);
  const model = useLab((s) => s.model);
  const busy = useLab((s) => runActive(s.run.phase));
  const actions = useActions();
  const urlRef = parseModelRef(useLab((s) => s.settings.model));
  const [repo, setRepo] = useState(urlRef?.kind === 'hub' ? urlRef.repo : '');
  const [revision, setRevision] = useState(urlRef?.kind === 'hub' ? urlRef.revision : 'main');
  const [dragging, setDragging] = useState(false);
  const loading = model.state === 'loading';
  const current = model.state === 'none' ? '' : model.ref;

  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    setDragging(false);
    void filesFromDrop(ev.dataTransfer).then(({ files, folder }) => files.length > 0 && actions.loadFiles(files, folder));
  };

  return (
    <section
      className={`panel model-panel${dragging ? ' dragging' : ''}`}
      aria-labelledby="model-heading"
      onDragOver={(ev) => {
        ev.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2 id="model-heading">Model</h2>
      <div data-testid="model-list" data-state={catalog.state}>
        {catalog.state === 'loading' && <p>Loading /models/index.json…</p>}
        {catalog.state === 'error' && <p className="bad">{catalog.reason}</p>}
        {catalog.state === 'ready' && catalog.models.length === 0 && <p className="muted">No served models. Set PROTOLAB_MODELS and restart the dev server, or use the Hub or a local folder.</p>}
        {catalog.state === 'ready' && catalog.models.length > 0 && (
          <ul className="model-list">
            {catalog.models.map((m) => (
              <li key={m.name} data-model={m.name} className={current === m.name ? 'current' : undefined}>
                <button type="button" disabled={loading || busy} onClick={() => actions.loadServed(m.name)} aria-pressed={current === m.name}>
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
        <button type="submit" disabled={loading || busy || repo.trim() === ''}>
          Load from Hub
        </button>
      </form>
      <div className="row">
        <label className="file-button">
          Local folder…
          <input
            type="file"
            data-testid="model-folder"
            webkitdirectory=""
            multiple
            disabled={loading || busy}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (files.length > 0) actions.loadFiles(files);
            }}
          />
        </label>
        <span className="muted">or drop a model folder (config.json, tokenizer.json, *.safetensors) here</span>
      </div>
      <ModelStatus />
    </section>
  );
}
