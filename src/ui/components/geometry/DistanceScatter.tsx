import { memo, useEffect, useRef } from 'react';
import * as d3 from 'd3';
import { SavePlot } from '../SavePlot.tsx';
import { rasterLayer, RASTER_ABOVE } from './raster.ts';
import type { TextPairPoint } from '../../../worker/protocol.ts';
import { drawFrame, drawLegend, PAIR_COLOURS, type Frame } from './plot-frame.ts';
import { binnedMeans } from './geometry-plots-data.ts';

const F: Frame = { width: 420, height: 290, margin: { top: 48, right: 16, bottom: 42, left: 56 } };

export interface ScatterProps {
  title: string;
  pairs: readonly TextPairPoint[];
  measure: 'tfidf' | 'semantic';
  xTitle: string;
  testId: string;
}

/**
 * Fig. 5: for every two different texts, the distance between the texts (x) against the distance
 * between their solutions (y), coloured by whether they come from the same context; each group's
 * mean per bin of text distance shows whether, at equal text distance, same-context solutions sit closer.
 */
export const DistanceScatter = memo(function DistanceScatter({ title, pairs, measure, xTitle, testId }: ScatterProps) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const svg = d3.select(ref.current).attr('viewBox', `0 0 ${F.width} ${F.height}`);
    const { margin: M } = F;
    const xs = pairs.map((p) => p[measure]);
    const ys = pairs.map((p) => p.solution);
    const pad = (lo: number, hi: number) => (hi > lo ? [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)] : [lo - 0.05, hi + 0.05]);
    const x = d3.scaleLinear().domain(pad(d3.min(xs) ?? 0, d3.max(xs) ?? 1)).nice().range([M.left, F.width - M.right]);
    const y = d3.scaleLinear().domain(pad(d3.min(ys) ?? 0, d3.max(ys) ?? 1)).nice().range([F.height - M.bottom, M.top]);
    const g = drawFrame(svg, F, x, y, xTitle, 'solution cosine distance ([e, m])', { xTicks: 6, yTicks: 5 });
    for (const kind of ['different-context', 'same-context'] as const) {
      const group = pairs.filter((p) => p.kind === kind);
      const c = PAIR_COLOURS[kind];
      const dots = g.append('g').attr('class', 'points').attr('data-kind', kind);
      if (pairs.length > RASTER_ABOVE) {
        // Thousands of texts make millions of pairs: one image rather than one element per pair.
        rasterLayer(dots, M.left, M.top, F.width - M.left - M.right, F.height - M.top - M.bottom, (ctx) => {
          ctx.fillStyle = c;
          ctx.globalAlpha = 0.5;
          for (const p of group) ctx.fillRect(x(p[measure]) - 1, y(p.solution) - 1, 2, 2);
        });
      } else {
        for (const p of group) {
          dots
            .append('circle')
            .attr('class', 'point')
            .attr('cx', x(p[measure]))
            .attr('cy', y(p.solution))
            .attr('r', 3)
            .attr('fill', c)
            .attr('fill-opacity', 0.7)
            .append('title')
            .text(`texts ${p.a + 1} and ${p.b + 1}: text ${p[measure].toFixed(4)}, solutions ${p.solution.toFixed(4)}`);
        }
      }
      // Mean solution distance per bin of text distance: compares the groups at equal text distance.
      const [lo, hi] = x.domain();
      const means = binnedMeans(group.map((p) => ({ x: p[measure], y: p.solution })), lo, hi);
      const meanLine = d3
        .line<{ x: number; y: number }>()
        .x((m) => x(m.x))
        .y((m) => y(m.y));
      g.append('path').attr('class', 'bin-means').attr('data-kind', kind).attr('d', meanLine(means) ?? '').attr('fill', 'none').attr('stroke', c).attr('stroke-width', 2);
      for (const m of means) {
        g.append('rect')
          .attr('class', 'bin-mean')
          .attr('x', x(m.x) - 3.5)
          .attr('y', y(m.y) - 3.5)
          .attr('width', 7)
          .attr('height', 7)
          .attr('fill', 'white')
          .attr('stroke', c)
          .attr('stroke-width', 2)
          .append('title')
          .text(`mean of ${m.n} pairs: ${m.y.toFixed(4)}`);
      }
    }
    drawLegend(
      svg,
      (['same-context', 'different-context'] as const).map((k) => ({ label: `${k === 'same-context' ? 'same context' : 'different contexts'} (${pairs.filter((p) => p.kind === k).length} pairs)`, colour: PAIR_COLOURS[k], shape: 'circle' as const })),
      M.left,
      34,
    );
  }, [pairs, measure, xTitle]);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <span>{title}</span> <span className="muted">(lines: mean per bin of text distance)</span>
        <SavePlot target={ref} title={title} testId={`${testId}-save`} />
      </figcaption>
      <svg ref={ref} role="img" aria-label={`${title}: solution distance against ${xTitle}`} />
    </figure>
  );
});
