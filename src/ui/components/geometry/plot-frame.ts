/**
 * Shared d3 drawing for the geometry plots: a frame with axes and axis titles, and a legend. Colours
 * are set as attributes (not only CSS classes) so a saved SVG/PNG looks like the page.
 */
import * as d3 from 'd3';
import type { PairKind } from '../../../worker/protocol.ts';

export interface Frame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export const PAIR_COLOURS: Record<PairKind, string> = {
  'same-text': '#1b9e77',
  'same-context': '#d95f02',
  'different-context': '#7570b3',
};

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

/** Clears the svg and draws both axes with their titles; returns the plot's group. */
export function drawFrame(
  svg: Svg,
  f: Frame,
  x: d3.AxisScale<d3.NumberValue> | d3.AxisScale<string>,
  y: d3.AxisScale<d3.NumberValue> | d3.AxisScale<string>,
  xTitle: string,
  yTitle: string,
  opts: { xTicks?: number; yTicks?: number } = {},
): d3.Selection<SVGGElement, unknown, null, undefined> {
  svg.selectAll('*').remove();
  const { width: W, height: H, margin: M } = f;
  const xAxis = d3.axisBottom(x as d3.AxisScale<d3.NumberValue>);
  const yAxis = d3.axisLeft(y as d3.AxisScale<d3.NumberValue>);
  if (opts.xTicks !== undefined) xAxis.ticks(opts.xTicks);
  if (opts.yTicks !== undefined) yAxis.ticks(opts.yTicks);
  svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - M.bottom})`).call(xAxis);
  svg.append('g').attr('class', 'axis y').attr('transform', `translate(${M.left},0)`).call(yAxis);
  svg
    .append('text')
    .attr('class', 'axis-label x-title')
    .attr('x', (M.left + W - M.right) / 2)
    .attr('y', H - 6)
    .attr('text-anchor', 'middle')
    .attr('fill', '#555')
    .attr('font-size', 11)
    .text(xTitle);
  svg
    .append('text')
    .attr('class', 'axis-label y-title')
    .attr('transform', `translate(13,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('fill', '#555')
    .attr('font-size', 11)
    .text(yTitle);
  return svg.append('g').attr('class', 'plot');
}

export interface LegendItem {
  label: string;
  colour: string;
  shape?: 'square' | 'circle';
}

/**
 * A legend above the plot area (never over the data): items left to right, wrapping to a new row
 * (upwards, so the first row stays next to the plot) when the next one would pass `maxWidth`.
 */
export function drawLegend(svg: Svg, items: readonly LegendItem[], x: number, y: number, maxWidth = 340): void {
  const g = svg.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  const rows: d3.Selection<SVGGElement, unknown, null, undefined>[][] = [[]];
  let at = 0;
  for (const it of items) {
    const row = g.append('g').attr('class', 'legend-item');
    if (it.shape === 'circle') row.append('circle').attr('cx', 5).attr('cy', -4).attr('r', 4).attr('fill', it.colour);
    else row.append('rect').attr('x', 0).attr('y', -9).attr('width', 10).attr('height', 10).attr('fill', it.colour);
    const label = row.append('text').attr('x', 14).attr('y', 0).attr('font-size', 11).attr('fill', '#333').text(it.label);
    // Measured where the browser lays text out; an estimate elsewhere (e.g. a DOM without layout).
    const measured = (label.node() as SVGTextElement | null)?.getComputedTextLength?.() ?? 0;
    const w = 14 + (measured > 0 ? measured : it.label.length * 6) + 14;
    if (at > 0 && at + w > maxWidth) {
      rows.push([]);
      at = 0;
    }
    row.attr('transform', `translate(${at},0)`).attr('data-row', rows.length - 1);
    rows[rows.length - 1].push(row);
    at += w;
  }
  // The last row sits at y; earlier rows above it.
  rows.forEach((r, k) => r.forEach((item) => item.attr('transform', `${item.attr('transform').replace(/,0\)$/, '')},${(k - (rows.length - 1)) * 14})`)));
}
