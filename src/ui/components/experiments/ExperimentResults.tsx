import { memo, useMemo, useRef } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { experimentActive } from '../../experiments-state.ts';
import { recordsOfModel } from '../../experiments-actions.ts';
import { parseMarkdownTables, type TableBlock } from '../../markdown-table.ts';
import { formatDuration, formatPercent } from '../../format.ts';
import { capacityTable, initLabel, layoutTable, progressiveTable, sharingTable, summarise } from '../../../experiments/report.ts';
import { reportPlots } from '../../../experiments/plots.ts';
import { SavePlot } from '../SavePlot.tsx';
import { TaskProgress } from '../TaskProgress.tsx';

const STAGE: Record<string, string> = { texts: 'fetching texts', entropy: 'scoring texts (H_LM)', train: 'training', done: 'done' };

export const ExperimentProgressView = memo(function ExperimentProgressView() {
  const phase = useLab((s) => s.experiments.phase);
  const p = useLab((s) => s.experiments.progress);
  const message = useLab((s) => s.experiments.message);
  const active = experimentActive(phase);
  return (
    <div data-testid="exp-progress-panel">
      {active && (
        <TaskProgress
          testId="exp-progress"
          label={p ? `${p.phase === 'paused' ? 'paused — ' : ''}sweep ${p.sweep + 1}/${p.sweeps} (${p.label}): ${STAGE[p.stage] ?? p.stage}` : 'starting…'}
          fraction={p ? p.fraction : null}
          elapsedMs={p?.elapsedMs ?? null}
          etaMs={p?.etaMs ?? null}
          bound
          note={
            p && p.stage === 'train'
              ? `${p.texts.join(', ')} at ${p.length} tokens: step ${p.step}/${p.maxSteps}, weakest text ${formatPercent(p.accuracy)}; attempt ${p.attempts + 1} of at most ${p.maxAttempts}`
              : undefined
          }
        />
      )}
      {message && (
        <p className={phase === 'failed' ? 'bad' : 'muted'} role={phase === 'failed' ? 'alert' : undefined} data-testid="exp-message">
          {message}
        </p>
      )}
    </div>
  );
});

function Table({ t, testId }: { t: TableBlock; testId: string }) {
  return (
    <div className="table-scroll">
      {t.caption && <p className="muted table-caption">{t.caption}</p>}
      <table className="results" data-testid={testId}>
        <thead>
          <tr>
            {t.head.map((h, i) => (
              <th key={i} className={t.align[i] === 'r' ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {t.rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j} className={t.align[j] === 'r' ? 'num' : undefined}>
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const PLOT_TITLES: Record<string, string> = {
  capacity: 'Capacity per text',
  hlm: 'H_LM at capacity',
  accuracy: 'Accuracy by length',
  sharing: 'Accuracy by group size',
};

/** One report plot (an SVG string from plots.ts) with its save buttons. */
const Plot = memo(function Plot({ name, svg }: { name: string; svg: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const title = PLOT_TITLES[name] ?? name;
  return (
    <figure className="chart report-plot" data-testid={`exp-plot-${name}`}>
      <figcaption>
        <span>{title}</span>
        <SavePlot target={ref} title={`protolab ${title}`} testId={`exp-plot-${name}-save`} />
      </figcaption>
      {/* plots.ts escapes every label; the markup is ours, not the user's. */}
      <div ref={ref} className="svg-holder" dangerouslySetInnerHTML={{ __html: svg }} />
    </figure>
  );
});

export function ExperimentResults() {
  // Two stable selections and a memo: a filtered array from the selector would be new on every call.
  const all = useLab((s) => s.experiments.records);
  const fingerprint = useLab((s) => (s.model.state === 'ready' ? s.model.info.fingerprint : null));
  const records = useMemo(() => recordsOfModel(all, fingerprint), [all, fingerprint]);
  const listed = useLab((s) => s.experiments.listed);
  const total = useLab((s) => s.experiments.records.length);
  const phase = useLab((s) => s.experiments.phase);
  const actions = useActions();
  const { tables, plots, seconds, sweeps, perText } = useMemo(() => {
    const sums = summarise(records);
    // Figure 1's data as rows: every text of the capacity sweeps.
    const perText = sums.filter((x) => !x.key.keepGoing).flatMap((x) => x.texts.map((t) => ({ ...t, sweep: `${x.key.method}, ${x.key.share === 'none' ? 'not shared' : `${x.key.share} shared`}${initLabel(x.key)}` })));
    const md = (f: typeof capacityTable) => parseMarkdownTables(f(sums, 'markdown'));
    return {
      tables: { capacity: md(capacityTable), progressive: md(progressiveTable), layouts: md(layoutTable), sharing: md(sharingTable) },
      plots: sums.length > 0 ? reportPlots(sums) : {},
      seconds: sums.reduce((a, s) => a + s.seconds, 0),
      sweeps: sums.length,
      perText,
    };
  }, [records]);
  const heading = { capacity: 'Capacity (Table 3 style)', progressive: 'Progressive against from scratch', layouts: 'Accuracy by arrangement and length (Table 1 style)', sharing: 'Accuracy with a shared proto-token (Table 2 style)' } as const;
  return (
    <section className="panel" aria-labelledby="exp-results-heading" data-testid="exp-results" data-records={records.length}>
      <h2 id="exp-results-heading">Results</h2>
      <div className="row">
        <span className="muted" data-testid="exp-records-count">
          {!listed ? 'Reading stored results…' : `${records.length} record${records.length === 1 ? '' : 's'} of this model in ${sweeps} sweep${sweeps === 1 ? '' : 's'}, ${formatDuration(seconds * 1000)} of training${total > records.length ? ` (${total - records.length} of other models kept too)` : ''}.`}
        </span>
        <button type="button" data-testid="exp-download" disabled={records.length === 0} onClick={() => actions.downloadExperimentResults(false)} title="JSON lines, as protolab report reads">
          Download results (.jsonl)
        </button>
        <button
          type="button"
          disabled={total === 0 || experimentActive(phase)}
          data-testid="exp-clear"
          onClick={() => {
            // Nothing brings them back: ask first.
            if (window.confirm(`Delete all ${total} stored experiment records (every model) from this browser? Download them first to keep them.`)) actions.clearExperimentResults();
          }}
        >
          Clear stored results
        </button>
      </div>
      {(Object.keys(tables) as (keyof typeof tables)[]).map((k) =>
        tables[k].length === 0 ? null : (
          <div key={k} className="report-table" data-testid={`exp-table-${k}`}>
            <h3>{heading[k]}</h3>
            {tables[k].map((t, i) => (
              <Table key={i} t={t} testId={`exp-table-${k}-${i}`} />
            ))}
          </div>
        ),
      )}
      {tables.capacity.length > 0 && <p className="muted">C_tokens and H_LM at each text&apos;s capacity: the longest ladder length reconstructed with accuracy ≥ 0.99 (best seed) before the first failure. H_LM in nats.</p>}
      {perText.length > 0 && (
        <details data-testid="exp-per-text">
          <summary>Capacity of each text ({perText.length})</summary>
          <div className="table-scroll">
            <table className="results">
              <thead>
                <tr>
                  <th>text</th>
                  <th>source</th>
                  <th>sweep</th>
                  <th className="num">capacity (tokens)</th>
                  <th className="num">C_tokens</th>
                  <th className="num">H_LM (nats)</th>
                  <th>lengths tried</th>
                </tr>
              </thead>
              <tbody>
                {perText.map((t, i) => (
                  <tr key={i}>
                    <td>{t.text}</td>
                    <td>{t.source}</td>
                    <td>{t.sweep}</td>
                    <td className="num">{t.complete ? t.capacity : `≥ ${t.capacity}`}</td>
                    <td className="num">{t.cTokens}</td>
                    <td className="num">{t.hLm.toFixed(1)}</td>
                    <td>{t.tried.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
      <div className="report-plots">
        {Object.entries(plots).map(([name, svg]) => (
          <Plot key={name} name={name} svg={svg} />
        ))}
      </div>
    </section>
  );
}
