import { memo, useMemo } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { jobBlocker } from '../../selectors.ts';
import { LineChart, type Series } from '../LineChart.tsx';
import { SettingField } from '../SettingField.tsx';

/** Scan and Bezier settings, the buttons, the live loss of the control point's training and its outcome. */
export const BezierPanel = memo(function BezierPanel() {
  const v = useLab((s) => s.interp);
  const actions = useActions();
  const ready = v.pair.state === 'ready';
  const busy = v.scanning !== null || v.training !== null;
  // Another job (this view's own, or any other view's) keeps scans and training from starting.
  const blocker = useLab(jobBlocker);
  const points = v.training?.points;
  const losses = v.curve?.losses;
  const series = useMemo<Series[]>(() => {
    const pts: [number, number][] = points ? points.map((p) => [p.step, p.loss]) : (losses ?? []).map((l, i) => [i + 1, l]);
    return [{ name: 'mean loss over the τ samples', className: 'series-current', points: pts }];
  }, [points, losses]);
  const linear = v.scans.linear;
  const bezier = v.scans.bezier;
  return (
    <div className="interp-bezier">
      <fieldset className="settings" disabled={busy}>
        <legend>Scan and Bezier training</legend>
        <SettingField name="interpResolution" label="scan points" step="1" testId="interp-interpResolution" />
        <SettingField name="bezLr" label="Adam lr" step="0.01" testId="interp-bezLr" />
        <SettingField name="bezSteps" label="steps" step="10" testId="interp-bezSteps" />
        <SettingField name="bezSamples" label="τ samples per step" step="1" testId="interp-bezSamples" />
        <SettingField name="bezSeed" label="seed" step="1" testId="interp-bezSeed" />
      </fieldset>
      <div className="buttons">
        <button type="button" data-testid="interp-scan-linear" disabled={!ready || blocker !== null} title={blocker ?? undefined} onClick={() => actions.interpScan('linear')}>
          Scan straight segment
        </button>
        <button type="button" data-testid="interp-train" disabled={!ready || blocker !== null} title={blocker ?? undefined} onClick={() => actions.interpTrain()}>
          Train Bezier curve
        </button>
        <button type="button" data-testid="interp-stop" disabled={!v.training} onClick={() => actions.interpStopTraining()}>
          Stop training
        </button>
        <button type="button" data-testid="interp-scan-bezier" disabled={!ready || blocker !== null || !v.curve} title={blocker ?? undefined} onClick={() => actions.interpScan('bezier')}>
          Scan curve
        </button>
      </div>
      {blocker && !busy && (
        <p className="muted" data-testid="interp-blocker">
          {blocker}
        </p>
      )}
      {v.scanning && <p data-testid="interp-scanning">Scanning the {v.scanning.kind === 'linear' ? 'straight segment' : 'curve'}…</p>}
      {v.training && (
        <p data-testid="interp-training" data-step={v.training.points.at(-1)?.step ?? 0}>
          Training the control point: step {v.training.points.at(-1)?.step ?? 0} of {v.training.steps}
          {v.training.points.length > 0 && `, ${(v.training.elapsedMs / 1000).toFixed(1)} s, about ${(((v.training.steps - v.training.points.at(-1)!.step) * v.training.elapsedMs) / Math.max(1, v.training.points.at(-1)!.step) / 1000).toFixed(0)} s left`}
        </p>
      )}
      {(v.training || v.curve) && <LineChart title="Bezier training loss (Eq. 5)" xLabel="step" yLabel="loss (nats, summed over tokens)" series={series} testId="interp-bezier-loss" />}
      {v.curve && (
        <dl className="interp-summary" data-testid="interp-curve-summary" data-length-ratio={v.curve.lengthRatio} data-saved={String(v.curveSaved)}>
          <dt>curve length / segment length</dt>
          <dd data-testid="interp-length-ratio">{v.curve.lengthRatio.toFixed(3)}</dd>
          <dt>training</dt>
          <dd>
            {v.curve.losses.length} steps{v.curve.stopped ? ' (stopped)' : ''}, lr {v.curve.settings.lr}, {v.curve.settings.samples} τ samples per step, seed {v.curve.settings.seed}
            {v.curve.origin === 'saved' ? ' (kept with this pair)' : `, ${v.curve.seconds.toFixed(1)} s`}
          </dd>
          <dt>kept with the pair</dt>
          <dd data-testid="interp-curve-saved">{v.curveSaved ? 'yes (IndexedDB)' : 'saving…'}</dd>
        </dl>
      )}
      {(linear || bezier) && (
        <dl className="interp-summary" data-testid="interp-means">
          {linear && (
            <>
              <dt>mean loss along τ, straight segment</dt>
              <dd data-testid="interp-mean-linear">{linear.meanLoss.toFixed(3)} nats</dd>
              <dt>accuracy at the worst τ, segment</dt>
              <dd>{Math.round(100 * Math.min(...linear.accuracy))} %</dd>
            </>
          )}
          {bezier && (
            <>
              <dt>mean loss along τ, Bezier curve</dt>
              <dd data-testid="interp-mean-bezier">{bezier.meanLoss.toFixed(3)} nats</dd>
              <dt>accuracy at the worst τ, curve</dt>
              <dd>{Math.round(100 * Math.min(...bezier.accuracy))} %</dd>
            </>
          )}
        </dl>
      )}
      {v.error && (
        <p className="notice error" role="alert" data-testid="interp-error">
          {v.error}
        </p>
      )}
    </div>
  );
});
