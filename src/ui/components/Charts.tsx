import { memo, useMemo } from 'react';
import { useLab } from '../store.ts';
import { LineChart, type Series } from './LineChart.tsx';

const percent = (v: number) => `${Math.round(v)} %`;
const ACCURACY_DOMAIN: [number, number] = [0, 100];

/** Loss and token accuracy against the step, live (current parameters and the best kept so far). */
export const Charts = memo(function Charts() {
  const points = useLab((s) => s.run.points);
  const loss = useMemo<Series[]>(
    () => [
      { name: 'current', className: 'series-current', points: points.map((p) => [p.step, p.loss]) },
      { name: 'best kept', className: 'series-best', points: points.map((p) => [p.step, p.bestLoss]) },
    ],
    [points],
  );
  const accuracy = useMemo<Series[]>(
    () => [
      { name: 'current', className: 'series-current', points: points.map((p) => [p.step, 100 * p.accuracy]) },
      { name: 'best kept', className: 'series-best', points: points.map((p) => [p.step, 100 * p.bestAccuracy]) },
    ],
    [points],
  );
  return (
    <div className="charts">
      <LineChart title="Loss" xLabel="step" yLabel="loss (nats, summed over tokens)" series={loss} testId="loss-chart" />
      <LineChart title="Token accuracy" xLabel="step" yLabel="accuracy (%)" series={accuracy} yDomain={ACCURACY_DOMAIN} yFormat={percent} testId="accuracy-chart" />
    </div>
  );
});
