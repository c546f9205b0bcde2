import { memo, useMemo, useState } from 'react';
import * as d3 from 'd3';
import { useLab } from '../../store.ts';
import { useActions } from '../../context.ts';
import { errorText } from '../../probes.ts';
import { formatPercent } from '../../format.ts';
import type { SolutionPart } from '../../../worker/protocol.ts';
import { Heatmap } from './Heatmap.tsx';
import { groupedByLabels, libraryLabels } from './geometry-plots-data.ts';

const PART_TITLES: Record<SolutionPart, string> = { em: '[e, m] concatenated', e: 'e only', m: 'm only' };

/**
 * Cosine distances between any solutions picked from the library, as a heatmap grouped by text
 * (same token ids) and by context (a `context:NAME` tag). Only solutions of one model compare.
 */
export const LibraryCompare = memo(function LibraryCompare() {
  const records = useLab((s) => s.library.records);
  const fingerprint = useLab((s) => (s.model.state === 'ready' ? s.model.info.fingerprint : null));
  const compare = useLab((s) => s.geometry.compare);
  const part = useLab((s) => s.settings.geoPart);
  const actions = useActions();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const usable = useMemo(() => (fingerprint ? records.filter((r) => r.modelFingerprint === fingerprint) : records), [records, fingerprint]);
  const shown = compare.state === 'ready' ? compare : null;
  const grouped = useMemo(() => {
    if (!shown) return null;
    const recs = shown.ids.map((id) => records.find((r) => r.id === id));
    if (recs.some((r) => !r)) return null; // a record was deleted since
    const rs = recs as NonNullable<(typeof recs)[number]>[];
    const textIndex = new Map<string, number>();
    for (const r of rs) if (!textIndex.has(r.ids.join(','))) textIndex.set(r.ids.join(','), textIndex.size + 1);
    const textName = (r: (typeof rs)[number]) => `text ${textIndex.get(r.ids.join(','))}`;
    return groupedByLabels(shown.distances[part], libraryLabels(rs), rs.map((r) => `${textName(r)} seed ${r.seed} (${r.name})`), rs.map(textName));
  }, [shown, part, records]);

  const toggle = (id: string) =>
    setPicked((p) => {
      const next = new Set(p);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const run = () => {
    const ids = usable.filter((r) => picked.has(r.id)).map((r) => r.id);
    setProblem(null);
    Promise.all(ids.map(async (id) => ({ id, name: records.find((r) => r.id === id)!.name, bytes: await actions.librarySolutionBytes(id) }))).then(
      (items) => actions.geometryCompare(items),
      (e: unknown) => setProblem(`Could not read the picked solutions from the library: ${errorText(e)}`),
    );
  };
  const count = usable.filter((r) => picked.has(r.id)).length;
  const distDomain = useMemo<[number, number]>(() => [0, Math.max(1e-9, (grouped && d3.max(grouped.matrix, (row) => d3.max(row))) ?? 1)], [grouped]);

  return (
    <section className="panel" data-testid="geo-library">
      <h2>Library solutions</h2>
      <p className="muted">
        Pick solutions{fingerprint ? ' of the loaded model' : ''} to see their cosine distances ({PART_TITLES[part]}). Solutions of one text (same tokens) form a block; a tag{' '}
        <code>context:NAME</code> groups texts by context.
      </p>
      {usable.length === 0 ? (
        <p className="muted" data-testid="geo-library-empty">
          The library has no solutions{fingerprint ? ' of this model' : ''} yet: compress a text (or import files in the library view) first.
        </p>
      ) : (
        <ul className="geo-pick" data-testid="geo-library-list">
          {usable.map((r) => (
            <li key={r.id}>
              <label>
                <input type="checkbox" checked={picked.has(r.id)} onChange={() => toggle(r.id)} data-testid="geo-library-pick" /> {r.name}{' '}
                <span className="muted">
                  seed {r.seed}, {r.N} tokens, {formatPercent(r.accuracy)}
                  {r.tags.length > 0 && `, ${r.tags.join(' ')}`}: “{r.text.slice(0, 60)}
                  {r.text.length > 60 ? '…' : ''}”
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <div className="buttons">
        <label>
          compare{' '}
          <select data-testid="geo-library-part" value={part} onChange={(e) => actions.setSettings({ geoPart: e.target.value as SolutionPart })}>
            {(Object.keys(PART_TITLES) as SolutionPart[]).map((p) => (
              <option key={p} value={p}>
                {PART_TITLES[p]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setPicked(new Set(usable.map((r) => r.id)))} disabled={usable.length === 0}>
          Pick all
        </button>
        <button type="button" onClick={() => setPicked(new Set())} disabled={count === 0}>
          Clear
        </button>
        <button type="button" data-testid="geo-library-compare" onClick={run} disabled={count < 2 || compare.state === 'computing'}>
          Compare {count} solutions
        </button>
        {count < 2 && usable.length > 0 && <span className="muted">pick at least two</span>}
      </div>
      {problem && <p className="bad">{problem}</p>}
      {compare.state === 'error' && (
        <p className="bad" data-testid="geo-library-error">
          {compare.message}
        </p>
      )}
      {grouped && (
        <div className="charts">
          <Heatmap
            title={`Library solutions: cosine distance (${PART_TITLES[part]})`}
            matrix={grouped.matrix}
            names={grouped.names}
            outer={grouped.outer}
            inner={grouped.inner}
            outerTitle="grouped by context (tag), else by text"
            innerTitle="and by text"
            valueTitle="cosine distance (1 − cos)"
            domain={distDomain}
            colours={d3.interpolateViridis}
            testId="geo-library-heatmap"
          />
        </div>
      )}
    </section>
  );
});
