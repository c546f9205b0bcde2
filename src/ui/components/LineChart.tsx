import { memo, useEffect, useRef } from 'react';
import * as d3 from 'd3';
import { SavePlot } from './SavePlot.tsx';

export interface Series {
  name: string;
  /** CSS class of the line and its legend swatch (colours live in styles.css). */
  className: string;
  points: [x: number, y: number][];
}

export interface LineChartProps {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Fixed y range; otherwise [0, a nice ceiling of the data]. */
  yDomain?: [number, number];
  /** Fixed x range end; otherwise a nice ceiling of the data. */
  xMax?: number;
  yFormat?: (y: number) => string;
  testId: string;
}

const W = 460;
const H = 220;
const M = { top: 12, right: 14, bottom: 40, left: 56 };

/** The next value of 1, 2, 5, 10, 20, 50, … at or above v, so axes change only now and then. */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * A small d3 line chart: axes with units, one line per series, a legend. The SVG skeleton is built
 * once; an update only redraws the lines, and the axes when their range changes.
 */
export const LineChart = memo(function LineChart({ title, xLabel, yLabel, series, yDomain, xMax, yFormat, testId }: LineChartProps) {
  const ref = useRef<SVGSVGElement>(null);
  const domains = useRef('');

  useEffect(() => {
    if (!ref.current) return;
    const svg = d3.select(ref.current);
    svg.selectAll('*').remove();
    domains.current = '';
    svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - M.bottom})`);
    svg.append('g').attr('class', 'axis y').attr('transform', `translate(${M.left},0)`);
    svg
      .append('text')
      .attr('class', 'axis-label')
      .attr('x', (M.left + W - M.right) / 2)
      .attr('y', H - 6)
      .attr('text-anchor', 'middle')
      .text(xLabel);
    svg
      .append('text')
      .attr('class', 'axis-label')
      .attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .text(yLabel);
    const lines = svg.append('g').attr('class', 'lines');
    const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${W - M.right - 110},${M.top + 4})`);
    series.forEach((s, i) => {
      lines.append('path').attr('class', `line ${s.className}`).attr('data-series', s.name);
      const row = legend.append('g').attr('transform', `translate(0,${i * 16})`);
      row.append('line').attr('class', `line ${s.className}`).attr('x1', 0).attr('x2', 18).attr('y1', 0).attr('y2', 0);
      row.append('text').attr('x', 24).attr('y', 4).text(s.name);
    });
    // Rebuilt only when the chart's labels or series change, not on new points.
  }, [xLabel, yLabel, series.map((s) => `${s.name}:${s.className}`).join('|')]);

  useEffect(() => {
    if (!ref.current) return;
    const svg = d3.select(ref.current);
    let xHi = 0;
    let yHi = 0;
    for (const s of series) {
      for (const [px, py] of s.points) {
        if (px > xHi) xHi = px;
        if (Number.isFinite(py) && py > yHi) yHi = py;
      }
    }
    const xd: [number, number] = [0, xMax ?? niceCeil(Math.max(xHi, 10))];
    const yd: [number, number] = yDomain ?? [0, yHi > 0 ? niceCeil(yHi) : 1];
    const x = d3.scaleLinear().domain(xd).range([M.left, W - M.right]);
    const y = d3.scaleLinear().domain(yd).range([H - M.bottom, M.top]);
    const key = `${xd}|${yd}`;
    if (key !== domains.current) {
      domains.current = key;
      svg.select<SVGGElement>('g.axis.x').call(d3.axisBottom(x).ticks(6, 'd'));
      svg.select<SVGGElement>('g.axis.y').call(
        d3
          .axisLeft(y)
          .ticks(5)
          .tickFormat((v) => (yFormat ? yFormat(+v) : d3.format('~g')(+v))),
      );
    }
    const line = d3
      .line<[number, number]>()
      .defined(([, v]) => Number.isFinite(v))
      .x(([v]) => x(v))
      .y(([, v]) => y(Math.min(v, yd[1])));
    const paths = svg.selectAll<SVGPathElement, unknown>('g.lines path').nodes();
    series.forEach((s, i) => paths[i]?.setAttribute('d', line(s.points) ?? ''));
  }, [series, yDomain, xMax, yFormat]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <span>{title}</span>
        <SavePlot target={ref} title={title} testId={`${testId}-save`} />
      </figcaption>
      <svg ref={ref} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${yLabel} against ${xLabel}`} />
    </figure>
  );
});
