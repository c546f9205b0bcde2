import './interp.css';
import { memo, useMemo } from 'react';
import { useLab } from '../../store.ts';
import { PairPicker } from './PairPicker.tsx';
import { BezierPanel } from './BezierPanel.tsx';
import { TauDecoder } from './TauDecoder.tsx';
import { PathChart, type TauSeries } from './PathChart.tsx';
import { PcaPlot } from './PcaPlot.tsx';

const percent = (v: number) => `${Math.round(v)} %`;
const ACCURACY: [number, number] = [0, 100];

const ScanCharts = memo(function ScanCharts() {
  const scans = useLab((s) => s.interp.scans);
  const tau = useLab((s) => s.settings.interpTau);
  const { accuracy, loss } = useMemo(() => {
    const acc: TauSeries[] = [];
    const lo: TauSeries[] = [];
    if (scans.linear) {
      acc.push({ name: 'straight segment', className: 'path-linear', tau: scans.linear.tau, values: scans.linear.accuracy.map((x) => 100 * x) });
      lo.push({ name: 'straight segment', className: 'path-linear', tau: scans.linear.tau, values: scans.linear.loss });
    }
    if (scans.bezier) {
      acc.push({ name: 'trained Bezier curve', className: 'path-bezier', tau: scans.bezier.tau, values: scans.bezier.accuracy.map((x) => 100 * x) });
      lo.push({ name: 'trained Bezier curve', className: 'path-bezier', tau: scans.bezier.tau, values: scans.bezier.loss });
    }
    return { accuracy: acc, loss: lo };
  }, [scans]);
  if (accuracy.length === 0) return null;
  return (
    <div className="charts">
      <PathChart title="Token accuracy along the path" yLabel="accuracy (%)" series={accuracy} yDomain={ACCURACY} yFormat={percent} marker={tau} testId="interp-accuracy-chart" />
      <PathChart title="Loss along the path" yLabel="loss (nats, summed over tokens)" series={loss} marker={tau} testId="interp-loss-chart" />
    </div>
  );
});

const Pca = memo(function Pca() {
  const pair = useLab((s) => s.interp.pair);
  const curve = useLab((s) => s.interp.curve);
  const tau = useLab((s) => s.settings.interpTau);
  if (pair.state !== 'ready') return null;
  return (
    <div className="charts">
      <PcaPlot a={pair.a} b={pair.b} others={pair.others} control={curve?.control ?? null} tau={tau} />
    </div>
  );
});

/** Issue 5 §2: paths between two saved solutions, straight and trained Bezier (Eq. 4-5), scanned, decoded at any tau, and seen in 2-D. */
export function InterpolateView() {
  return (
    <div className="interp-view">
      <section className="panel" aria-labelledby="interp-heading" data-testid="interp-panel">
        <h2 id="interp-heading">Interpolate between two solutions</h2>
        <PairPicker />
        <BezierPanel />
      </section>
      <section className="panel" aria-label="Scans along the paths">
        <ScanCharts />
        <TauDecoder />
      </section>
      <section className="panel" aria-label="2-D view">
        <Pca />
      </section>
    </div>
  );
}
