import type { SolutionSummary } from '../../../library/records.ts';
import type { SortKey } from '../../../library/query.ts';
import { modelShortName } from '../../../library/names.ts';
import { useActions } from '../../context.ts';
import { formatPercent } from '../../format.ts';
import { useLab } from '../../store.ts';
import { TagEditor } from './TagEditor.tsx';
import { weightFormatNote } from '../../../shared/weight-formats.ts';

const COLUMNS: { key: SortKey | null; title: string }[] = [
  { key: 'model', title: 'Model' },
  { key: 'text', title: 'Text' },
  { key: 'N', title: 'Tokens' },
  { key: 'accuracy', title: 'Accuracy' },
  { key: null, title: 'Run' },
  { key: 'savedAt', title: 'Saved' },
  { key: null, title: 'Tags' },
  { key: null, title: '' },
];

function shortDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** The library's rows (already searched and sorted); column headers sort, boxes select. */
export function LibraryTable({ rows }: { rows: SolutionSummary[] }) {
  const actions = useActions();
  const selected = useLab((s) => s.library.selected);
  const sort = useLab((s) => s.settings.libSort);
  const dir = useLab((s) => s.settings.libDir);
  const decoded = useLab((s) => s.library.decoded);
  const modelReady = useLab((s) => s.model.state === 'ready');
  // Only solutions of the loaded model get the format note: another model's cannot be decoded here anyway.
  const loadedFingerprint = useLab((s) => (s.model.state === 'ready' ? s.model.info.fingerprint : null));
  const loadedFormat = useLab((s) => (s.model.state === 'ready' ? s.model.info.memory.format : null));
  const formatNote = (r: SolutionSummary) => (loadedFormat && r.modelFingerprint === loadedFingerprint ? weightFormatNote(r.weightFormat, loadedFormat) : null);
  const chosen = new Set(selected);
  const allChosen = rows.length > 0 && rows.every((r) => chosen.has(r.id));
  const toggle = (id: string) => actions.librarySelect(chosen.has(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  const sortBy = (key: SortKey) => actions.setSettings(key === sort ? { libDir: dir === 'asc' ? 'desc' : 'asc' } : { libSort: key, libDir: key === 'model' || key === 'text' ? 'asc' : 'desc' });
  return (
    <table className="library-table" data-testid="library-table">
      <thead>
        <tr>
          <th>
            <input
              type="checkbox"
              aria-label="Select every shown solution"
              data-testid="library-select-all"
              checked={allChosen}
              onChange={() => actions.librarySelect(allChosen ? [] : rows.map((r) => r.id))}
            />
          </th>
          {COLUMNS.map((c) => (
            <th key={c.title || 'actions'} aria-sort={c.key === sort ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}>
              {c.key ? (
                <button type="button" className="link" data-testid={`sort-${c.key}`} onClick={() => sortBy(c.key as SortKey)}>
                  {c.title}
                  {c.key === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              ) : (
                c.title
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-testid="library-row" data-id={r.id} data-source={r.source} className={chosen.has(r.id) ? 'selected' : undefined}>
            <td>
              <input type="checkbox" aria-label={`Select ${r.name}`} data-testid="library-select" checked={chosen.has(r.id)} onChange={() => toggle(r.id)} />
            </td>
            <td title={`${r.model} (fingerprint ${r.modelFingerprint.slice(0, 12)})`}>{modelShortName(r.model)}</td>
            <td className="library-text" data-testid="library-text" title={r.text}>
              {r.text}
              <FormatNote note={formatNote(r)} />
              {decoded?.id === r.id && (
                <div className="library-decoded" data-testid="library-decoded" data-state={decoded.state}>
                  {decoded.state === 'decoding' && 'decoding…'}
                  {decoded.state === 'ready' && (
                    <>
                      one pass: “<span data-testid="library-decoded-text">{decoded.text}</span>” ({decoded.cTokens} / {decoded.N})
                    </>
                  )}
                  {decoded.state === 'error' && <span className="bad">{decoded.message}</span>}
                </div>
              )}
            </td>
            <td>{r.N}</td>
            <td data-testid="library-accuracy">{formatPercent(r.accuracy)}</td>
            <td className="muted run-cell">
              {r.layout}, seed {r.seed}, {r.steps} steps{r.stoppedBy ? `, ${r.stoppedBy}` : ''}
              {r.source === 'import' ? ', imported' : ''}
              <InitNote r={r} />
            </td>
            <td title={r.savedAt}>{shortDate(r.savedAt)}</td>
            <td>
              <TagEditor tags={r.tags} label={`Tags of ${r.name}`} onSave={(t) => void actions.libraryTag(r.id, t)} />
            </td>
            <td className="row-actions">
              <button type="button" data-testid="library-export-one" onClick={() => void actions.libraryExport([r.id])}>
                Export
              </button>
              <button type="button" data-testid="library-decode" disabled={!modelReady} title={modelReady ? 'Decode in one forward pass' : 'Load its model first'} onClick={() => actions.libraryDecode(r.id)}>
                Decode
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Where the run started, when not from the paper's N(0, 1) draw: an encoder's prediction (marked,
 * with what it got right before any step) or another draw.
 */
function InitNote({ r }: { r: SolutionSummary }) {
  if (!r.init || r.init === 'normal') return null;
  if (r.init !== 'encoder') return <span data-testid="library-init">, init {r.init}</span>;
  return (
    <span data-testid="library-init" data-init="encoder">
      , init <span className="library-badge">encoder</span>
      {r.initialAccuracy !== undefined ? ` (${formatPercent(r.initialAccuracy)} before any step)` : ''}
    </span>
  );
}

/** Says that a solution was trained against another weight format than the loaded model holds. */
function FormatNote({ note }: { note: string | null }) {
  if (!note) return null;
  return (
    <div className="library-format-note muted" data-testid="library-format-note">
      {note}
    </div>
  );
}
