import { memo, useEffect, useMemo, useRef } from 'react';
import * as d3 from 'd3';
import { fitPca2, project } from '../../../geometry/pca.ts';
import { bezierPoint, midpoint, tauGrid } from '../../../geometry/path.ts';
import { SavePlot } from '../SavePlot.tsx';

export interface PcaPlotProps {
  a: Float64Array;
  b: Float64Array;
  others: { id: string; point: Float64Array }[];
  control: Float64Array | null;
  /** The slider's tau: its point is marked on each path. */
  tau: number;
}

const W = 460;
const H = 320;
const M = { top: 30, right: 16, bottom: 40, left: 56 };

/**
 * The selected pair (and the model's other library solutions) in the plane of their first two
 * principal components, with the straight segment and the trained Bezier curve drawn through it.
 * The control point takes part in the fit: with only two solutions the plane is then the one the
 * curve lies in (a quadratic Bezier curve is planar), so it is drawn without distortion.
 */
export const PcaPlot = memo(function PcaPlot({ a, b, others, control, tau }: PcaPlotProps) {
  const ref = useRef<SVGSVGElement>(null);
  const pca = useMemo(() => fitPca2([a, b, ...others.map((o) => o.point), ...(control ? [control] : [])]), [a, b, others, control]);
  useEffect(() => {
    if (!ref.current) return;
    const svg = d3.select(ref.current);
    svg.selectAll('*').remove();
    const grid = tauGrid(65);
    const segment = grid.map((t) => project(pca, bezierPoint(a, b, midpoint(a, b), t)));
    const curve = control ? grid.map((t) => project(pca, bezierPoint(a, b, control, t))) : null;
    const pts = [project(pca, a), project(pca, b), ...others.map((o) => project(pca, o.point)), ...(control ? [project(pca, control)] : []), ...(curve ?? [])];
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const pad = (lo: number, hi: number): [number, number] => {
      const span = hi - lo || 1;
      return [lo - 0.08 * span, hi + 0.08 * span];
    };
    const x = d3.scaleLinear().domain(pad(Math.min(...xs), Math.max(...xs))).range([M.left, W - M.right]);
    const y = d3.scaleLinear().domain(pad(Math.min(...ys), Math.max(...ys))).range([H - M.bottom, M.top]);
    svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - M.bottom})`).call(d3.axisBottom(x).ticks(6));
    svg.append('g').attr('class', 'axis y').attr('transform', `translate(${M.left},0)`).call(d3.axisLeft(y).ticks(6));
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
    svg.append('text').attr('class', 'axis-label').attr('x', (M.left + W - M.right) / 2).attr('y', H - 6).attr('text-anchor', 'middle').text(`PC 1 (input-embedding units; ${pct(pca.explained[0])} of variance)`);
    svg.append('text').attr('class', 'axis-label').attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(`PC 2 (${pct(pca.explained[1])} of variance)`);
    const line = d3
      .line<[number, number]>()
      .x(([u]) => x(u))
      .y(([, v]) => y(v));
    svg.append('path').attr('class', 'line path-linear').attr('data-path', 'linear').attr('d', line(segment) ?? '');
    if (curve) svg.append('path').attr('class', 'line path-bezier').attr('data-path', 'bezier').attr('d', line(curve) ?? '');
    svg
      .append('g')
      .attr('class', 'others')
      .selectAll('circle')
      .data(others.map((o) => project(pca, o.point)))
      .join('circle')
      .attr('class', 'pca-other')
      .attr('r', 3.5)
      .attr('cx', ([u]) => x(u))
      .attr('cy', ([, v]) => y(v));
    const ends: [string, Float64Array][] = [
      ['A', a],
      ['B', b],
    ];
    for (const [name, p] of ends) {
      const [u, v] = project(pca, p);
      svg.append('circle').attr('class', 'pca-end').attr('data-end', name).attr('r', 5.5).attr('cx', x(u)).attr('cy', y(v));
      svg.append('text').attr('class', 'pca-label').attr('x', x(u) + 8).attr('y', y(v) - 8).text(name);
    }
    if (control) {
      const [u, v] = project(pca, control);
      svg.append('path').attr('class', 'pca-control').attr('d', d3.symbol(d3.symbolCross, 70)()).attr('transform', `translate(${x(u)},${y(v)}) rotate(45)`);
    }
    const at = (c: Float64Array) => project(pca, bezierPoint(a, b, c, tau));
    const [lu, lv] = at(midpoint(a, b));
    svg.append('circle').attr('class', 'pca-tau path-linear-dot').attr('r', 4).attr('cx', x(lu)).attr('cy', y(lv));
    if (control) {
      const [bu, bv] = at(control);
      svg.append('circle').attr('class', 'pca-tau path-bezier-dot').attr('r', 4).attr('cx', x(bu)).attr('cy', y(bv));
    }
    const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${M.left},12)`);
    const items: [string, string][] = [
      ['straight segment', 'path-linear'],
      ...(control ? ([['trained Bezier curve', 'path-bezier']] as [string, string][]) : []),
    ];
    items.forEach(([name, cls], i) => {
      const row = legend.append('g').attr('transform', `translate(${i * 170},0)`);
      row.append('line').attr('class', `line ${cls}`).attr('x1', 0).attr('x2', 18).attr('y1', 0).attr('y2', 0);
      row.append('text').attr('x', 24).attr('y', 4).text(name);
    });
    const row = legend.append('g').attr('transform', `translate(${items.length * 170},0)`);
    row.append('circle').attr('class', 'pca-other').attr('r', 3.5).attr('cx', 9);
    row.append('text').attr('x', 24).attr('y', 4).text(`other solutions (${others.length})`);
  }, [pca, a, b, others, control, tau]);

  const title = '2-D view (PCA of the solutions)';
  return (
    <figure className="chart" data-testid="interp-pca" data-others={others.length} data-has-curve={control ? 'true' : 'false'}>
      <figcaption>
        <span>{title}</span>
        <SavePlot target={ref} title={title} testId="interp-pca-save" />
      </figcaption>
      <svg ref={ref} viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Solutions and both paths in the plane of the first two principal components" />
    </figure>
  );
});
