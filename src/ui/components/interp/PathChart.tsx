import { memo, useEffect, useRef } from 'react';
import * as d3 from 'd3';
import { SavePlot } from '../SavePlot.tsx';

export interface TauSeries {
  name: string;
  /** CSS class of the line, its markers and its legend swatch (interp.css). */
  className: string;
  tau: number[];
  values: number[];
}

export interface PathChartProps {
  title: string;
  yLabel: string;
  series: TauSeries[];
  /** Fixed y range; otherwise from 0 to the data's maximum (with headroom). */
  yDomain?: [number, number];
  yFormat?: (y: number) => string;
  /** Where the tau slider stands (a vertical rule), or null. */
  marker: number | null;
  testId: string;
}

const W = 460;
const H = 230;
const M = { top: 30, right: 14, bottom: 40, left: 56 };

/**
 * A quantity along a path against tau in [0, 1]: one line with point markers per path (segment,
 * curve), a legend above the plot area, and the slider's tau as a rule. Redrawn whole on change:
 * a scan has at most a thousand points and arrives once.
 */
export const PathChart = memo(function PathChart({ title, yLabel, series, yDomain, yFormat, marker, testId }: PathChartProps) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const svg = d3.select(ref.current);
    svg.selectAll('*').remove();
    const all = series.flatMap((s) => s.values.filter(Number.isFinite));
    const yd: [number, number] = yDomain ?? [0, all.length > 0 ? Math.max(...all) * 1.08 || 1 : 1];
    const x = d3.scaleLinear().domain([0, 1]).range([M.left, W - M.right]);
    const y = d3.scaleLinear().domain(yd).range([H - M.bottom, M.top]).nice();
    svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - M.bottom})`).call(d3.axisBottom(x).ticks(10).tickFormat(d3.format('.1f')));
    svg
      .append('g')
      .attr('class', 'axis y')
      .attr('transform', `translate(${M.left},0)`)
      .call(
        d3
          .axisLeft(y)
          .ticks(5)
          .tickFormat((v) => (yFormat ? yFormat(+v) : d3.format('~g')(+v))),
      );
    svg.append('text').attr('class', 'axis-label').attr('x', (M.left + W - M.right) / 2).attr('y', H - 6).attr('text-anchor', 'middle').text('τ (position along the path, 0 = solution A, 1 = solution B)');
    svg.append('text').attr('class', 'axis-label').attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(yLabel);
    const line = d3
      .line<[number, number]>()
      .defined(([, v]) => Number.isFinite(v))
      .x(([t]) => x(t))
      .y(([, v]) => y(v));
    for (const s of series) {
      const pts = s.tau.map((t, i) => [t, s.values[i]] as [number, number]);
      const g = svg.append('g').attr('class', `series ${s.className}`).attr('data-series', s.name).attr('data-points', pts.length);
      g.append('path').attr('class', `line ${s.className}`).attr('d', line(pts) ?? '');
      g.selectAll('circle')
        .data(pts.filter(([, v]) => Number.isFinite(v)))
        .join('circle')
        .attr('class', `dot ${s.className}`)
        .attr('r', pts.length > 60 ? 1.2 : 2.5)
        .attr('cx', ([t]) => x(t))
        .attr('cy', ([, v]) => y(v));
    }
    if (marker !== null) {
      svg.append('line').attr('class', 'tau-marker').attr('x1', x(marker)).attr('x2', x(marker)).attr('y1', M.top).attr('y2', H - M.bottom);
    }
    const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${M.left},${12})`);
    series.forEach((s, i) => {
      const row = legend.append('g').attr('transform', `translate(${i * 170},0)`);
      row.append('line').attr('class', `line ${s.className}`).attr('x1', 0).attr('x2', 18).attr('y1', 0).attr('y2', 0);
      row.append('text').attr('x', 24).attr('y', 4).text(s.name);
    });
  }, [series, yDomain, yFormat, marker, yLabel]);

  return (
    <figure className="chart" data-testid={testId} data-series-count={series.length}>
      <figcaption>
        <span>{title}</span>
        <SavePlot target={ref} title={title} testId={`${testId}-save`} />
      </figcaption>
      <svg ref={ref} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${yLabel} against tau`} />
    </figure>
  );
});
