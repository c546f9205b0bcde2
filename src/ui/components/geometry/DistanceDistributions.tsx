import { memo, useEffect, useRef } from 'react';
import * as d3 from 'd3';
import { SavePlot } from '../SavePlot.tsx';
import { boxStats, sharedHistogram } from '../../../geometry/summary.ts';
import { PAIR_KINDS, PAIR_KIND_TITLES } from '../../../geometry/grouping.ts';
import type { PairKind } from '../../../worker/protocol.ts';
import { drawFrame, drawLegend, PAIR_COLOURS, type Frame } from './plot-frame.ts';

const F: Frame = { width: 420, height: 270, margin: { top: 48, right: 16, bottom: 42, left: 56 } };
/** Legend labels: short, so three fit in a row or two. */
const SHORT: Record<PairKind, string> = { 'same-text': 'same text', 'same-context': 'same context', 'different-context': 'different context' };

/**
 * Fig. 6: cosine distances between solutions for the three pairings, as box plots (median, quartiles,
 * Tukey whiskers, outliers) and as histograms on shared bins (densities, so pairings with very
 * different numbers of pairs compare).
 */
export const DistanceDistributions = memo(function DistanceDistributions({ byKind, what }: { byKind: Record<PairKind, number[]>; what: string }) {
  const boxRef = useRef<SVGSVGElement>(null);
  const histRef = useRef<SVGSVGElement>(null);
  const kinds = PAIR_KINDS.filter((k) => byKind[k].length > 0);
  const all = kinds.flatMap((k) => byKind[k]);
  const yTitle = `solution cosine distance (${what})`;

  useEffect(() => {
    if (!boxRef.current) return;
    const svg = d3.select(boxRef.current).attr('viewBox', `0 0 ${F.width} ${F.height}`);
    const { margin: M } = F;
    const x = d3.scaleBand<string>().domain(kinds.map((k) => SHORT[k])).range([M.left, F.width - M.right]).padding(0.35);
    const hi = all.length ? d3.max(all)! : 1;
    const y = d3.scaleLinear().domain([0, hi > 0 ? hi * 1.05 : 1]).nice().range([F.height - M.bottom, M.top]);
    const g = drawFrame(svg, F, x, y, 'pairing', yTitle, { yTicks: 5 });
    for (const k of kinds) {
      const b = boxStats(byKind[k]);
      if (!b) continue;
      const cx = x(SHORT[k])!;
      const w = x.bandwidth();
      const c = PAIR_COLOURS[k];
      const box = g.append('g').attr('class', 'box').attr('data-kind', k).attr('data-n', b.n);
      box.append('line').attr('x1', cx + w / 2).attr('x2', cx + w / 2).attr('y1', y(b.whiskerLow)).attr('y2', y(b.whiskerHigh)).attr('stroke', c);
      box.append('rect').attr('x', cx).attr('width', w).attr('y', y(b.q3)).attr('height', Math.max(1, y(b.q1) - y(b.q3))).attr('fill', c).attr('fill-opacity', 0.35).attr('stroke', c);
      box.append('line').attr('class', 'median').attr('x1', cx).attr('x2', cx + w).attr('y1', y(b.median)).attr('y2', y(b.median)).attr('stroke', c).attr('stroke-width', 2.5);
      for (const v of [b.whiskerLow, b.whiskerHigh]) box.append('line').attr('x1', cx + w * 0.3).attr('x2', cx + w * 0.7).attr('y1', y(v)).attr('y2', y(v)).attr('stroke', c);
      for (const v of b.outliers) box.append('circle').attr('class', 'outlier').attr('cx', cx + w / 2).attr('cy', y(v)).attr('r', 2).attr('fill', c);
      box.append('title').text(`${PAIR_KIND_TITLES[k]}: n = ${b.n}, median ${b.median.toFixed(4)}, quartiles ${b.q1.toFixed(4)}–${b.q3.toFixed(4)}`);
    }
    drawLegend(
      svg,
      kinds.map((k) => ({ label: `${SHORT[k]} (${byKind[k].length} pairs)`, colour: PAIR_COLOURS[k] })),
      M.left,
      34,
    );
  }, [byKind, what]);

  useEffect(() => {
    if (!histRef.current) return;
    const svg = d3.select(histRef.current).attr('viewBox', `0 0 ${F.width} ${F.height}`);
    const { margin: M } = F;
    const samples = Object.fromEntries(kinds.map((k) => [k, byKind[k]]));
    const h = sharedHistogram(samples, 20);
    const x = d3.scaleLinear().domain([h.edges[0], h.edges[h.edges.length - 1]]).range([M.left, F.width - M.right]);
    const top = d3.max(kinds.flatMap((k) => h.density[k])) ?? 1;
    const y = d3.scaleLinear().domain([0, top > 0 ? top * 1.05 : 1]).nice().range([F.height - M.bottom, M.top]);
    const g = drawFrame(svg, F, x, y, yTitle, 'density (fraction of pairs per unit distance)', { xTicks: 6, yTicks: 5 });
    for (const k of kinds) {
      const c = PAIR_COLOURS[k];
      const bars = g.append('g').attr('class', 'hist').attr('data-kind', k);
      h.density[k].forEach((d, i) => {
        if (d <= 0) return;
        bars
          .append('rect')
          .attr('class', 'bar')
          .attr('x', x(h.edges[i]))
          .attr('width', Math.max(0.5, x(h.edges[i + 1]) - x(h.edges[i]) - 0.5))
          .attr('y', y(d))
          .attr('height', y(0) - y(d))
          .attr('fill', c)
          .attr('fill-opacity', 0.45)
          .append('title')
          .text(`${PAIR_KIND_TITLES[k]}: ${h.counts[k][i]} pairs in [${h.edges[i].toFixed(3)}, ${h.edges[i + 1].toFixed(3)})`);
      });
    }
    drawLegend(
      svg,
      kinds.map((k) => ({ label: SHORT[k], colour: PAIR_COLOURS[k] })),
      M.left,
      34,
    );
  }, [byKind, what]);

  return (
    <div className="charts">
      <figure className="chart" data-testid="geo-fig6-box">
        <figcaption>
          <span>Fig. 6: distances by pairing (box plots)</span>
          <SavePlot target={boxRef} title="Fig 6 distances by pairing box plots" testId="geo-fig6-box-save" />
        </figcaption>
        <svg ref={boxRef} role="img" aria-label="box plots of solution distances by pairing" />
      </figure>
      <figure className="chart" data-testid="geo-fig6-hist">
        <figcaption>
          <span>Fig. 6: distances by pairing (histograms)</span>
          <SavePlot target={histRef} title="Fig 6 distances by pairing histograms" testId="geo-fig6-hist-save" />
        </figcaption>
        <svg ref={histRef} role="img" aria-label="histograms of solution distances by pairing" />
      </figure>
    </div>
  );
});
