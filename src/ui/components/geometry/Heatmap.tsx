import { memo, useEffect, useRef } from 'react';
import * as d3 from 'd3';
import { SavePlot } from '../SavePlot.tsx';
import { rasterLayer, RASTER_ABOVE } from './raster.ts';
import { forEachHeatmapCell } from './heatmap-cells.ts';

export interface HeatmapGroup {
  key: string;
  start: number;
  end: number;
}

export interface HeatmapProps {
  title: string;
  /** Square matrix already in display order; NaN cells are drawn empty (no value defined). */
  matrix: readonly (readonly number[])[];
  /** Short row/column names (shown when there are few). */
  names: readonly string[];
  /** Outer groups (contexts) and inner groups (texts) as runs of the display order. */
  outer: readonly HeatmapGroup[];
  inner: readonly HeatmapGroup[];
  outerTitle: string;
  innerTitle: string;
  /** What the colour means, with its unit. */
  valueTitle: string;
  domain: [number, number];
  /** d3 interpolator; low values take its start. */
  colours: (t: number) => string;
  testId: string;
}

const SIZE = 380;
const M = { top: 30, right: 92, bottom: 42, left: 46 };

/**
 * A matrix as coloured cells (cosine distances between solutions, Fig. 7's interpolation accuracies),
 * with the group structure drawn on it: thin lines between texts, thick ones between contexts, and a
 * colour bar with its unit. Cells are <rect>s (hover shows the value).
 */
export const Heatmap = memo(function Heatmap(p: HeatmapProps) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const svg = d3.select(ref.current);
    svg.selectAll('*').remove();
    const n = p.matrix.length;
    const W = SIZE + M.left + M.right;
    const H = SIZE + M.top + M.bottom;
    svg.attr('viewBox', `0 0 ${W} ${H}`);
    if (n === 0) {
      svg.append('text').attr('x', W / 2).attr('y', H / 2).attr('text-anchor', 'middle').attr('fill', '#777').attr('font-size', 12).text('no solutions yet');
      return;
    }
    const cell = SIZE / n;
    const colour = d3.scaleSequential(p.colours).domain(p.domain);
    const g = svg.append('g').attr('class', 'cells').attr('transform', `translate(${M.left},${M.top})`);
    if (n * n > RASTER_ABOVE) {
      // The paper's size (950 solutions) is 900k cells: one image, not 900k elements.
      rasterLayer(g, 0, 0, SIZE, SIZE, (ctx) => {
        forEachHeatmapCell(p.matrix, SIZE, colour, (c) => {
          ctx.fillStyle = c.fill;
          ctx.fillRect(c.x, c.y, c.size, c.size);
        });
      });
    } else {
      const value = d3.format('.4f');
      forEachHeatmapCell(p.matrix, SIZE, colour, (c) => {
        g.append('rect')
          .attr('class', 'cell')
          .attr('x', c.x)
          .attr('y', c.y)
          .attr('width', c.size)
          .attr('height', c.size)
          .attr('fill', c.fill)
          .attr('data-value', c.value)
          .append('title')
          .text(`${p.names[c.row]} × ${p.names[c.col]}: ${value(c.value)}`);
      });
    }
    g.append('rect').attr('width', SIZE).attr('height', SIZE).attr('fill', 'none').attr('stroke', '#999');
    const lines = (groups: readonly HeatmapGroup[], cls: string, width: number) => {
      for (const gr of groups.slice(1)) {
        const at = gr.start * cell;
        g.append('line').attr('class', cls).attr('x1', at).attr('x2', at).attr('y1', 0).attr('y2', SIZE).attr('stroke', '#fff').attr('stroke-width', width);
        g.append('line').attr('class', cls).attr('y1', at).attr('y2', at).attr('x1', 0).attr('x2', SIZE).attr('stroke', '#fff').attr('stroke-width', width);
      }
    };
    // Past a few dozen texts their lines would only grid the picture over; contexts still show.
    if (p.inner.length <= 60) lines(p.inner, 'text-boundary', 0.8);
    lines(p.outer, 'context-boundary', 2.5);
    // Group names along the top (contexts) and the left (texts), when they fit.
    const outerAxis = svg.append('g').attr('class', 'axis outer').attr('transform', `translate(${M.left},${M.top - 4})`);
    for (const gr of p.outer) {
      const w = (gr.end - gr.start) * cell;
      if (w < 14) continue;
      // A narrow block keeps only what tells it apart ("context 12" → "12").
      const short = gr.key.replace(/^context /u, '');
      const label = gr.key.length * 6 <= w ? gr.key : short.length * 6 <= w ? short : '';
      if (label) outerAxis.append('text').attr('x', (gr.start + gr.end) * cell * 0.5).attr('y', 0).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', '#555').text(label);
    }
    svg.append('text').attr('class', 'axis-label').attr('x', M.left + SIZE / 2).attr('y', 11).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', '#555').text(`${p.outerTitle} (thick lines)`);
    svg
      .append('text')
      .attr('class', 'axis-label')
      .attr('transform', `translate(14,${M.top + SIZE / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .attr('font-size', 11)
      .attr('fill', '#555')
      .text(`${p.innerTitle} (thin lines)`);
    svg.append('text').attr('class', 'axis-label').attr('x', M.left + SIZE / 2).attr('y', H - 8).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', '#555').text(`${n} solutions, same order on both axes`);
    // Colour bar: the legend of the cell colours, with the unit.
    const barX = M.left + SIZE + 18;
    const bar = d3.scaleLinear().domain(p.domain).range([M.top + SIZE, M.top]);
    const defs = svg.append('defs');
    const gid = `${p.testId}-gradient`;
    const grad = defs.append('linearGradient').attr('id', gid).attr('x1', 0).attr('x2', 0).attr('y1', 1).attr('y2', 0);
    for (let k = 0; k <= 10; k++) grad.append('stop').attr('offset', `${k * 10}%`).attr('stop-color', colour(p.domain[0] + ((p.domain[1] - p.domain[0]) * k) / 10));
    svg.append('rect').attr('class', 'colour-bar').attr('x', barX).attr('y', M.top).attr('width', 12).attr('height', SIZE).attr('fill', `url(#${gid})`);
    svg.append('g').attr('class', 'axis legend').attr('transform', `translate(${barX + 12},0)`).call(d3.axisRight(bar).ticks(6));
    svg
      .append('text')
      .attr('class', 'axis-label legend-title')
      .attr('transform', `translate(${W - 8},${M.top + SIZE / 2}) rotate(90)`)
      .attr('text-anchor', 'middle')
      .attr('font-size', 11)
      .attr('fill', '#555')
      .text(p.valueTitle);
  }, [p]);
  return (
    <figure className="chart heatmap" data-testid={p.testId}>
      <figcaption>
        <span>{p.title}</span>
        <SavePlot target={ref} title={p.title} testId={`${p.testId}-save`} />
      </figcaption>
      <svg ref={ref} role="img" aria-label={`${p.title}: ${p.valueTitle}`} />
    </figure>
  );
});
