import { searchRecords, SORT_KEYS, sortRecords, type SortKey } from '../../../library/query.ts';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { LibraryImport } from './LibraryImport.tsx';
import { LibraryTable } from './LibraryTable.tsx';

const SORT_TITLES: Record<SortKey, string> = { savedAt: 'date saved', model: 'model', text: 'text', accuracy: 'accuracy', N: 'tokens' };

/** Every kept solution: search, sort, tag, select, export, delete (with undo), import. */
export function LibraryView() {
  const actions = useActions();
  const library = useLab((s) => s.library);
  const search = useLab((s) => s.settings.libSearch);
  const sort = useLab((s) => s.settings.libSort);
  const dir = useLab((s) => s.settings.libDir);
  const rows = sortRecords(searchRecords(library.records, search), sort, dir);
  const selected = library.selected;
  return (
    <section className="panel library" aria-labelledby="library-heading" data-testid="library-panel" data-state={library.status}>
      <h2 id="library-heading">Solution library</h2>
      {library.status === 'loading' && <p>Opening the library…</p>}
      {library.status === 'error' && (
        <p className="bad" role="alert" data-testid="library-error">
          {library.message}
        </p>
      )}
      {library.status === 'ready' && library.message && (
        <p className="bad" role="alert" data-testid="library-message">
          {library.message}
        </p>
      )}
      <LibraryImport />
      <div className="library-toolbar row">
        <input
          type="search"
          data-testid="library-search"
          aria-label="Search the library"
          placeholder="search text, model, tags (tag:x, model:x)"
          value={search}
          onChange={(e) => actions.setSettings({ libSearch: e.target.value })}
        />
        <label>
          order by{' '}
          <select data-testid="library-sort" value={sort} onChange={(e) => actions.setSettings({ libSort: e.target.value as SortKey })}>
            {SORT_KEYS.map((k) => (
              <option key={k} value={k}>
                {SORT_TITLES[k]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="library-dir" onClick={() => actions.setSettings({ libDir: dir === 'asc' ? 'desc' : 'asc' })}>
          {dir === 'asc' ? 'ascending ▲' : 'descending ▼'}
        </button>
        <span className="muted" data-testid="library-count" data-count={rows.length}>
          {rows.length} of {library.records.length} shown, {selected.length} selected
        </span>
        <button type="button" data-testid="library-export" disabled={selected.length === 0} onClick={() => void actions.libraryExport(selected)}>
          Export {selected.length > 1 ? `${selected.length} as zip` : 'selected'}
        </button>
        <button type="button" data-testid="library-delete" disabled={selected.length === 0} onClick={() => void actions.libraryDelete(selected)}>
          Delete selected
        </button>
      </div>
      {library.undo && (
        <p className="notice" data-testid="library-undo-notice">
          Deleted {library.undo.names.length === 1 ? library.undo.names[0] : `${library.undo.names.length} solutions`}.{' '}
          <button type="button" data-testid="library-undo" onClick={() => void actions.libraryUndoDelete()}>
            Undo
          </button>
        </p>
      )}
      {library.status === 'ready' && library.records.length === 0 ? (
        <p className="muted" data-testid="library-empty">
          No solutions yet: every compression that finishes or is stopped is kept here, and you can import saved files.
        </p>
      ) : (
        <LibraryTable rows={rows} />
      )}
    </section>
  );
}
