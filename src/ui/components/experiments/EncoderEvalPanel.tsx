import { memo } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { encoderEvalBlocker } from '../../experiments-actions.ts';
import { formatDuration, formatPercent } from '../../format.ts';
import { TaskProgress } from '../TaskProgress.tsx';
import { EXPERIMENT_FIELDS } from '../../../shared/experiment-spec.ts';
import type { EncoderEvalMeasured, EncoderEvalProgress } from '../../../worker/protocol.ts';
import type { StepsSummary } from '../../../encoder/summary.ts';

const STAGE: Record<EncoderEvalProgress['stage'], string> = { texts: 'fetching texts', 'zero-shot': 'predicting and scoring (zero-shot)', 'warm-start': 'warm start' };

/** "40 (30–55), 3/3 solved": median steps to accuracy 1.0 (quartiles), an unsolved quantile shown as "> budget". */
function steps(s: StepsSummary, budget: number): string {
  const q = (x: number | null) => (x === null ? `> ${budget}` : String(+x.toFixed(1)));
  return `${q(s.median)} (${q(s.q1)}–${q(s.q3)}), ${s.solved}/${s.items} solved`;
}

function Row({ m }: { m: EncoderEvalMeasured }) {
  const r = m.result;
  const z = r.zeroShot;
  const w = r.warmStart;
  const none = m.stopped ? 'stopped' : 'not asked for';
  return (
    <tr>
      <td>{m.name}</td>
      <td>
        {r.texts} × {r.length} tokens, {r.source}
        {w ? `; ${w.seeds} draw${w.seeds === 1 ? '' : 's'} each, ≤ ${w.budget} steps` : ''}
      </td>
      <td className="num" data-testid="enc-zero-shot" title={`min ${formatPercent(z.min)}, max ${formatPercent(z.max)}`}>
        {formatPercent(z.mean)} ± {formatPercent(z.sd)}
      </td>
      <td className="num" data-testid="enc-steps-encoder">
        {w ? steps(w.encoder, w.budget) : none}
      </td>
      <td className="num" data-testid="enc-steps-draw">
        {w ? steps(w.normal, w.budget) : none}
      </td>
      <td className="num" data-testid="enc-ratio">
        {w ? (w.medianRatio === null ? 'n/a' : `${w.medianRatio.toFixed(2)}×`) : '–'}
      </td>
      <td className="num">{formatDuration(m.seconds * 1000)}</td>
    </tr>
  );
}

/**
 * An encoder on the loaded model (issue 19 §5), the page's `protolab encoder eval`: texts of the
 * encoder's length from the form's source, its prediction's one-pass accuracy (zero-shot) and,
 * with the warm start, the median steps to accuracy 1.0 from the prediction against from the seeded
 * draw. Runs in the experiment's place: one job at a time, cancelled like an experiment.
 */
export const EncoderEvalPanel = memo(function EncoderEvalPanel() {
  const run = useLab((s) => s.experiments.encoderEval.run);
  const measured = useLab((s) => s.experiments.encoderEval.measured);
  const warmStart = useLab((s) => s.settings.expWarmStart);
  const form = useLab((s) => `${s.settings.expTexts} texts from ${s.settings.expSource} (text seed ${s.settings.expTextSeed}); warm start: ${s.settings.expSeeds} seeded draw${s.settings.expSeeds === 1 ? '' : 's'} per text, at most ${s.settings.expSteps} steps, learning rate ${s.settings.lr}`);
  const blocker = useLab(encoderEvalBlocker);
  const actions = useActions();
  const measuring = run.state === 'measuring';
  const p = measuring ? run.progress : null;
  return (
    <section className="panel" aria-labelledby="enc-heading" data-testid="encoder-eval-panel" data-state={run.state}>
      <h2 id="enc-heading">Encoder measurement</h2>
      <p className="muted">
        How well an encoder file (protolab encoder train) predicts e for texts of its own length: the one-pass accuracy of its prediction with its m (zero-shot), and
        with the warm start the steps the paper&apos;s optimiser needs to reach 100 % from the prediction against from the seeded draw, in one batch. Texts and
        budget from the form above: {form}. Pick a text seed other than the encoder&apos;s training one to measure it on texts it never saw.
      </p>
      <div className="row">
        <label title={EXPERIMENT_FIELDS.warmStart.help}>
          warm start{' '}
          <input type="checkbox" data-testid="enc-warm-start" checked={warmStart} disabled={measuring} onChange={(e) => actions.setSettings({ expWarmStart: e.target.checked })} />
        </label>
        <label className="file-button" title={blocker ?? 'Measure an encoder file on the loaded model'}>
          encoder file (.safetensors)
          <input
            type="file"
            accept=".safetensors"
            data-testid="enc-file"
            disabled={blocker !== null}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) actions.evaluateEncoder(f);
            }}
          />
        </label>
        <button type="button" data-testid="enc-stop" disabled={!measuring || p?.phase === 'stopping'} onClick={actions.stopEncoderEval}>
          Stop
        </button>
        {!measuring && blocker && <span className="muted">{blocker}</span>}
      </div>
      {measuring && (
        <TaskProgress
          testId="enc-progress"
          label={`${run.name}: ${p ? `${p.phase === 'stopping' ? 'stopping — ' : ''}${STAGE[p.stage]}` : 'starting…'}`}
          fraction={p ? p.fraction : null}
          elapsedMs={p?.elapsedMs ?? null}
          etaMs={p?.etaMs ?? null}
          bound
          note={p && p.stage === 'warm-start' ? `step ${p.step}/${p.maxSteps}, ${p.solved} of ${p.runs} runs at 100 %` : undefined}
        />
      )}
      {(run.state === 'done' || run.state === 'cancelled' || run.state === 'failed') && (
        <p className={run.state === 'failed' ? 'bad' : 'muted'} role={run.state === 'failed' ? 'alert' : undefined} data-testid="enc-message">
          {run.message}
        </p>
      )}
      {measured.length > 0 && (
        <div className="table-scroll">
          <table className="results" data-testid="enc-table">
            <thead>
              <tr>
                <th>encoder</th>
                <th>texts</th>
                <th className="num" title="Mean ± sd over texts of the prediction's correct fraction, before any step (hover a cell for min and max)">zero-shot</th>
                <th className="num" title="Median steps to 100 % (quartiles) from the encoder's prediction">steps from encoder</th>
                <th className="num" title="Median steps to 100 % (quartiles) from the seeded draw">steps from draw</th>
                <th className="num" title="Median from the encoder over median from the draw">ratio</th>
                <th className="num">time</th>
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
    </section>
  );
});
