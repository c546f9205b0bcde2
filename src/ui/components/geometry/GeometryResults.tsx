import { memo, useMemo } from 'react';
import * as d3 from 'd3';
import { useLab } from '../../store.ts';
import { useActions } from '../../context.ts';
import type { SolutionPart } from '../../../worker/protocol.ts';
import { Heatmap } from './Heatmap.tsx';
import { DistanceDistributions } from './DistanceDistributions.tsx';
import { DistanceScatter } from './DistanceScatter.tsx';
import { fig6Samples, fig7Matrix, groupedDistances } from './geometry-plots-data.ts';
import { formatPercent } from '../../format.ts';

const UNIT_DOMAIN: [number, number] = [0, 1];
const PART_TITLES: Record<SolutionPart, string> = { em: '[e, m] concatenated', e: 'e only', m: 'm only' };

/** The experiment's plots, each drawn as soon as its data has arrived. */
export const GeometryResults = memo(function GeometryResults() {
  const r = useLab((s) => s.geometry.result);
  const part = useLab((s) => s.settings.geoPart);
  const actions = useActions();
  const grouped = useMemo(() => (r ? groupedDistances(r, part) : null), [r?.distances, part]);
  const samples = useMemo(() => (r ? fig6Samples(r, part) : null), [r?.distances, part]);
  const fig7 = useMemo(() => (r ? fig7Matrix(r) : null), [r?.solutions, r?.interpolation]);
  const phase = useLab((s) => s.geometry.phase);
  const keep = useLab((s) => s.geometry.keep);
  // Stable props: the heatmap redraws only when its data changes, not on every interpolation that arrives.
  const distDomain = useMemo<[number, number]>(() => [0, Math.max(1e-9, (grouped && d3.max(grouped.matrix, (row) => d3.max(row))) ?? 1)], [grouped]);
  if (!r) return null;
  const meanAcc = r.solutions.length ? d3.mean(r.solutions, (s) => s.accuracy)! : null;
  return (
    <section className="panel geo-results" data-testid="geo-results">
      <h2>Results</h2>
      <p data-testid="geo-summary">
        {r.texts.length} texts from {new Set(r.texts.map((t) => t.contextId)).size} contexts; {r.solutions.length} solutions
        {meanAcc !== null && <> (mean token accuracy {formatPercent(meanAcc)})</>}; {r.interpolation.length}/{r.interpolationTotal} interpolations.
      </p>
      <div className="buttons">
        <button
          type="button"
          data-testid="geo-keep"
          disabled={phase !== 'done' || r.solutions.length === 0 || keep?.state === 'saving'}
          title="Save every solution of this experiment in the library, tagged geometry, context:<context> and text:<k>.<j>"
          onClick={() => void actions.geometryKeep()}
        >
          Keep the {r.solutions.length} solutions in the library
        </button>
        {keep && (
          <span className={keep.state === 'error' ? 'bad' : 'muted'} data-testid="geo-keep-status">
            {keep.text}
          </span>
        )}
      </div>
      <label>
        compare{' '}
        <select data-testid="geo-part" value={part} onChange={(e) => actions.setSettings({ geoPart: e.target.value as SolutionPart })}>
          {(Object.keys(PART_TITLES) as SolutionPart[]).map((p) => (
            <option key={p} value={p}>
              {PART_TITLES[p]}
            </option>
          ))}
        </select>
      </label>
      <div className="charts">
        {grouped && (
          <Heatmap
            title={`Cosine distance between solutions (${PART_TITLES[part]})`}
            matrix={grouped.matrix}
            names={grouped.names}
            outer={grouped.outer}
            inner={grouped.inner}
            outerTitle="grouped by context"
            innerTitle="and by text"
            valueTitle="cosine distance (1 − cos)"
            domain={distDomain}
            colours={d3.interpolateViridis}
            testId="geo-heatmap"
          />
        )}
        {fig7 && (
          <Heatmap
            title="Fig. 7: mean accuracy along the linear path between seeds"
            matrix={fig7.matrix}
            names={fig7.names}
            outer={fig7.outer}
            inner={fig7.inner}
            outerTitle="seeds of one text per block"
            innerTitle="solutions of texts with R seeds"
            valueTitle="token accuracy (fraction, mean over τ)"
            domain={UNIT_DOMAIN}
            colours={d3.interpolateMagma}
            testId="geo-fig7"
          />
        )}
      </div>
      {samples && <DistanceDistributions byKind={samples} what={PART_TITLES[part]} />}
      {r.semanticInfo && (
        <>
          <p className="muted" data-testid="geo-semantic-info">
            Semantic distance: <strong>{r.semanticInfo.label}</strong>. Why: {r.semanticInfo.reason}.
          </p>
          <div className="charts">
            <DistanceScatter title="Fig. 5: token-level (TF-IDF cosine)" pairs={r.pairs} measure="tfidf" xTitle="text distance: TF-IDF cosine over token ids" testId="geo-fig5-tfidf" />
            <DistanceScatter
              title={`Fig. 5: semantic (${r.semanticInfo.kind === 'minilm' ? 'all-MiniLM-L6-v2' : 'model hidden states, not MiniLM'})`}
              pairs={r.pairs}
              measure="semantic"
              xTitle={r.semanticInfo.kind === 'minilm' ? 'text distance: MiniLM embedding cosine' : 'text distance: mean hidden state cosine'}
              testId="geo-fig5-semantic"
            />
          </div>
        </>
      )}
      {r.texts.length > 0 && (
        <details data-testid="geo-texts">
          <summary>The {r.texts.length} generated texts and their contexts</summary>
          <ol>
            {r.texts.map((t, i) => (
              <li key={t.id}>
                <span className="muted">
                  context {t.context + 1} ({t.contextId}), continuation {t.j + 1}:
                </span>{' '}
                <span className="mono">{t.text}</span>
                {r.solutions
                  .filter((s) => s.text === i)
                  .map((s) => (
                    <span key={s.restart} className="muted">
                      {' '}
                      · seed {s.restart + 1}: {formatPercent(s.accuracy)}
                    </span>
                  ))}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
});
