import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { SettingField } from '../SettingField.tsx';
import { throughputPlot } from '../../../throughput/plot.ts';
import { SavePlot } from '../SavePlot.tsx';
import { TaskProgress } from '../TaskProgress.tsx';
import { jobBlocker } from '../../selectors.ts';
import type { ThroughputMeasured } from '../../../worker/protocol.ts';
import type { ThroughputState } from '../../experiments-state.ts';

const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(1000 * s).toFixed(2)} ms`);

function Row({ m }: { m: ThroughputMeasured }) {
  const r = m.record;
  const own = (t: typeof r.oneShot) => (t.reproduced === null ? 'stand-in vectors (timing only)' : `${t.reproduced}/${t.tokens} tokens reproduced`);
  return (
    <>
      <tr>
        <td rowSpan={2}>{m.name}</td>
        <td className="num" rowSpan={2}>
          {r.N}
        </td>
        <td>one forward pass ({r.oneShot.positions} positions)</td>
        <td className="num">{ms(r.oneShot.seconds)}</td>
        <td className="num" data-testid="tp-oneshot-tps">
          {r.oneShot.tokensPerSecond.toFixed(0)}
        </td>
        <td>{own(r.oneShot)}</td>
        <td className="num" rowSpan={2} data-testid="tp-speedup">
          {r.speedup.toFixed(1)}×
        </td>
      </tr>
      <tr>
        <td>autoregressive, KV cache (K = {r.memory.K}, {r.memory.passes} passes)</td>
        <td className="num">{ms(r.memory.seconds)}</td>
        <td className="num" data-testid="tp-memory-tps">
          {r.memory.tokensPerSecond.toFixed(0)}
        </td>
        <td>{own(r.memory)}</td>
      </tr>
    </>
  );
}

/**
 * Elapsed time of a timing at `now`: the worker's elapsed time at its last progress message plus
 * the time since that message arrived. One clock, the worker's: the page only counts on from it.
 */
export function elapsedAt(p: { elapsedMs: number; receivedAt: number }, now: number): number {
  return p.elapsedMs + Math.max(0, now - p.receivedAt);
}

/** A running timing's progress; the elapsed time ticks between the worker's messages (elapsedAt). */
function TimingProgress({ state, repeats }: { state: Extract<ThroughputState, { state: 'measuring' }>; repeats: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const id = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(id);
  }, []);
  const p = state.progress;
  return (
    // Time left comes from the worker as it was at its last message (experiment-host.ts): the page estimates nothing.
    <TaskProgress
      testId="tp-progress"
      label={`timing ${state.name}: warm-up and ${repeats} runs of each method`}
      fraction={p ? p.done / p.total : 0}
      elapsedMs={p ? elapsedAt(p, now) : null}
      etaMs={p?.etaMs ?? null}
    />
  );
}

/**
 * Decoding throughput (issue 4 §6, the paper's Figure 4): for a solution, the time to reproduce
 * its text by one forward pass and by KV-cached autoregressive decoding at the same length.
 */
export const ThroughputPanel = memo(function ThroughputPanel() {
  const state = useLab((s) => s.experiments.throughput);
  const measured = useLab((s) => s.experiments.measured);
  const ready = useLab((s) => s.model.state === 'ready');
  const last = useLab((s) => s.run.result);
  const repeats = useLab((s) => s.settings.expRepeats);
  const actions = useActions();
  const plotRef = useRef<HTMLDivElement>(null);
  // The library's solutions of the loaded model (kept in IndexedDB by the library controller).
  const library = useLab((s) => s.library.records);
  const fingerprint = useLab((s) => (s.model.state === 'ready' ? s.model.info.fingerprint : null));
  const mine = useMemo(() => library.filter((r) => r.modelFingerprint === fingerprint), [library, fingerprint]);
  const [pick, setPick] = useState('');
  const picked = mine.find((r) => r.id === pick) ?? mine[0];
  const [libraryProblem, setLibraryProblem] = useState<string | null>(null);
  const measuring = state.state === 'measuring';
  const svg = useMemo(() => (measured.length > 0 ? throughputPlot(measured.map((m) => m.record), { title: 'Decoding throughput against text length' }) : null), [measured]);
  // A timing taken while another job runs would measure it too: the worker refuses it, so the page does not offer it.
  const busy = useLab(jobBlocker);
  const blocked = !ready ? 'Load a model first.' : measuring ? 'Measuring…' : busy;
  return (
    <section className="panel" aria-labelledby="tp-heading" data-testid="throughput-panel" data-state={state.state}>
      <h2 id="tp-heading">Decoding throughput</h2>
      <p className="muted">
        Time to reproduce a solution&apos;s text by one forward pass versus by autoregressive decoding with a KV cache at the same length (the other method with
        stand-in vectors: its time does not depend on their values). Median of the repeats; tokens per second = tokens / time.
      </p>
      <div className="row">
        <SettingField name="expRepeats" label="repeats" min={1} testId="tp-repeats" />
        <label className="file-button">
          solution file (.safetensors)
          <input
            type="file"
            accept=".safetensors"
            data-testid="tp-file"
            disabled={blocked !== null}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) actions.measureThroughput(f);
              e.target.value = '';
            }}
          />
        </label>
        <label>
          or from the library
          <select data-testid="tp-library" value={picked?.id ?? ''} disabled={mine.length === 0} onChange={(e) => setPick(e.target.value)}>
            {mine.length === 0 && <option value="">no solutions of this model yet</option>}
            {mine.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.N} tokens, {Math.round(100 * r.accuracy)} %)
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="tp-library-time"
          disabled={blocked !== null || !picked}
          onClick={() => {
            if (!picked) return;
            setLibraryProblem(null);
            actions.librarySolutionBytes(picked.id).then(
              (bytes) => actions.measureThroughput(new File([bytes], picked.name)),
              (e: unknown) => setLibraryProblem(`${picked.name}: ${e instanceof Error ? e.message : String(e)}`),
            );
          }}
        >
          Time it
        </button>
        <button
          type="button"
          data-testid="tp-last"
          disabled={blocked !== null || !last?.solution}
          title={last?.solution ? last.fileName : 'Compress a text first (Compress view)'}
          onClick={() => last?.solution && actions.measureThroughput(new File([last.solution.slice(0)], last.fileName))}
        >
          Time the last compressed solution
        </button>
      </div>
      {state.state === 'measuring' && <TimingProgress state={state} repeats={repeats} />}
      {libraryProblem && (
        <p className="bad" role="alert">
          {libraryProblem}
        </p>
      )}
      {state.state === 'error' && (
        <p className="bad" role="alert" data-testid="tp-error">
          {state.name}: {state.message}
        </p>
      )}
      {measured.length > 0 && (
        <div className="table-scroll">
          <table className="results" data-testid="tp-table">
            <thead>
              <tr>
                <th>solution</th>
                <th className="num">N (tokens)</th>
                <th>decoding</th>
                <th className="num">median time</th>
                <th className="num">tokens/s</th>
                <th>vectors</th>
                <th className="num">speedup</th>
              </tr>
            </thead>
            <tbody>
              {measured.map((m, i) => (
                <Row key={i} m={m} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {svg && (
        <figure className="chart report-plot" data-testid="tp-plot">
          <figcaption>
            <span>Throughput against length</span>
            <SavePlot target={plotRef} title="protolab throughput" testId="tp-plot-save" />
          </figcaption>
          <div ref={plotRef} className="svg-holder" dangerouslySetInnerHTML={{ __html: svg }} />
        </figure>
      )}
    </section>
  );
});
