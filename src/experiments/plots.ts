/**
 * SVG plots of sweep results, built as strings with d3 scales and shapes (no DOM): capacity and
 * H_LM per text and per source (the paper's Figures 1 and 3), and accuracy against length per
 * arrangement or sharing setup (Tables 1 and 2 as curves).
 */
import { scaleBand, scaleLinear, scaleLog, scaleOrdinal, schemeTableau10, line as d3line, max as d3max, min as d3min, type ScaleContinuousNumeric } from 'd3';
import { capacityColumns, layoutLabel, shareLabel, stat, type SweepSummary } from './report.ts';

const W = 760;
const PLOT_H = 360;
const M = { right: 24, bottom: 64, left: 70 };
/** Title, then one legend row per series, then the plot area. */
const topFor = (series: number) => 44 + 17 * series;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

/** Deterministic jitter in [-1, 1] from a string (a text id), so plots do not change between runs. */
function jitter(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return (h / 0xffffffff) * 2 - 1;
}

function frame(title: string, body: string[], height: number): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT} font-size="12">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function yAxis(y: ScaleContinuousNumeric<number, number>, ticks: number[], label: string, fmt: (v: number) => string): string[] {
  const [bottom, top] = y.range();
  const out = [`<line x1="${M.left}" x2="${M.left}" y1="${top}" y2="${bottom}" stroke="black"/>`];
  for (const t of ticks) {
    const yy = n2(y(t));
    out.push(`<line x1="${M.left - 5}" x2="${M.left}" y1="${yy}" y2="${yy}" stroke="black"/>`);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${M.left - 8}" y="${yy}" dy="0.32em" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  const cy = (top + bottom) / 2;
  out.push(`<text transform="translate(18 ${cy}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`);
  return out;
}

function legend(entries: { label: string; color: string }[], x0: number, y0: number): string[] {
  const out: string[] = [];
  entries.forEach((e, i) => {
    const y = y0 + i * 17;
    out.push(`<circle cx="${x0}" cy="${y}" r="5" fill="${e.color}"/>`);
    out.push(`<text x="${x0 + 10}" y="${y}" dy="0.32em">${esc(e.label)}</text>`);
  });
  return out;
}

export interface StripPoint {
  category: string;
  series: string;
  id: string;
  value: number;
}

/**
 * Small dots per text (jittered within their series' slot of the category), one large outlined
 * dot per series and category at the mean, like the paper's Figures 1 and 3.
 */
export function stripPlot(opts: { title: string; yLabel: string; log2?: boolean; points: StripPoint[]; series: string[]; note?: string }): string {
  const categories = [...new Set(opts.points.map((p) => p.category))];
  const top = topFor(opts.series.length);
  const H = top + PLOT_H + M.bottom;
  const x = scaleBand<string>().domain(categories).range([M.left, W - M.right]).padding(0.15);
  const slot = scaleBand<string>().domain(opts.series).range([0, x.bandwidth()]).padding(0.2);
  const color = scaleOrdinal<string, string>().domain(opts.series).range(schemeTableau10);
  const values = opts.points.map((p) => p.value);
  const hi = Math.max(1, d3max(values) ?? 1);
  let y: ScaleContinuousNumeric<number, number>;
  let ticks: number[];
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  if (opts.log2) {
    const lo = Math.max(1, Math.min(4, d3min(values.filter((v) => v > 0)) ?? 4));
    const upper = 2 ** Math.ceil(Math.log2(hi * 1.25));
    y = scaleLog().base(2).domain([lo, upper]).range([H - M.bottom, top]).clamp(true);
    ticks = [];
    for (let t = 2 ** Math.floor(Math.log2(lo)); t <= upper; t *= 2) if (t >= lo) ticks.push(t);
  } else {
    y = scaleLinear().domain([0, hi * 1.1]).nice().range([H - M.bottom, top]);
    ticks = y.ticks(6);
  }
  const body = yAxis(y, ticks, opts.yLabel, fmt);
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`);
  for (const c of categories) {
    body.push(`<text x="${n2(x(c)! + x.bandwidth() / 2)}" y="${H - M.bottom + 18}" text-anchor="middle">${esc(c)}</text>`);
  }
  body.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 38}" text-anchor="middle">text source</text>`);
  for (const p of opts.points) {
    const cx = x(p.category)! + slot(p.series)! + slot.bandwidth() / 2 + (jitter(p.id) * slot.bandwidth()) / 3;
    const title = `${p.id}: ${fmt(p.value)}`;
    body.push(`<circle cx="${n2(cx)}" cy="${n2(y(Math.max(p.value, opts.log2 ? 1e-9 : p.value)))}" r="3" fill="${color(p.series)}" fill-opacity="0.55"><title>${esc(title)}</title></circle>`);
  }
  for (const c of categories) {
    for (const s of opts.series) {
      const vs = opts.points.filter((p) => p.category === c && p.series === s).map((p) => p.value);
      if (vs.length === 0) continue;
      const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
      const cx = x(c)! + slot(s)! + slot.bandwidth() / 2;
      body.push(`<circle cx="${n2(cx)}" cy="${n2(y(mean))}" r="8" fill="${color(s)}" stroke="black" stroke-width="1.5"><title>${esc(`${c}, ${s}: mean ${fmt(mean)} over ${vs.length} texts`)}</title></circle>`);
    }
  }
  body.push(...legend(opts.series.map((s) => ({ label: s, color: color(s) })), M.left + 12, 40));
  if (opts.note) body.push(`<text x="${W - M.right}" y="${H - 8}" text-anchor="end" font-size="10" fill="#555">${esc(opts.note)}</text>`);
  return frame(opts.title, body, H);
}

export interface LineSeries {
  label: string;
  points: { x: number; mean: number; std: number; n: number }[];
}

/** Accuracy (0..1) against length on a log2 axis, one line per series, with ± std bars. */
export function accuracyPlot(opts: { title: string; series: LineSeries[]; note?: string; xLabel?: string; yLabel?: string; xName?: string }): string {
  const xs = opts.series.flatMap((s) => s.points.map((p) => p.x));
  const top = topFor(opts.series.length);
  const H = top + PLOT_H + M.bottom;
  const lo = Math.max(1, d3min(xs) ?? 1);
  const hi = Math.max(lo * 2, d3max(xs) ?? 2);
  const x = scaleLog().base(2).domain([lo, hi]).range([M.left + 10, W - M.right - 10]);
  const y = scaleLinear().domain([0, 1]).range([H - M.bottom, top]);
  const color = scaleOrdinal<string, string>().domain(opts.series.map((s) => s.label)).range(schemeTableau10);
  const body = yAxis(y, [0, 0.2, 0.4, 0.6, 0.8, 1], opts.yLabel ?? 'token accuracy (best seed per text)', (v) => v.toFixed(1));
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`);
  for (const t of [...new Set(xs)].sort((a, b) => a - b)) {
    body.push(`<line x1="${n2(x(t))}" x2="${n2(x(t))}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="black"/>`);
    body.push(`<text x="${n2(x(t))}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  body.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 38}" text-anchor="middle">${esc(opts.xLabel ?? 'text length N (tokens, log scale)')}</text>`);
  for (const s of opts.series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const path = d3line<(typeof pts)[number]>()
      .x((p) => x(p.x))
      .y((p) => y(p.mean))(pts);
    body.push(`<path d="${path}" fill="none" stroke="${color(s.label)}" stroke-width="2"/>`);
    for (const p of pts) {
      const cx = n2(x(p.x));
      body.push(`<line x1="${cx}" x2="${cx}" y1="${n2(y(Math.max(0, p.mean - p.std)))}" y2="${n2(y(Math.min(1, p.mean + p.std)))}" stroke="${color(s.label)}" stroke-opacity="0.6"/>`);
      body.push(`<circle cx="${cx}" cy="${n2(y(p.mean))}" r="4" fill="${color(s.label)}"><title>${esc(`${s.label}, ${opts.xName ?? 'N'} = ${p.x}: ${p.mean.toFixed(3)} ± ${p.std.toFixed(3)} over ${p.n} texts`)}</title></circle>`);
    }
  }
  body.push(...legend(opts.series.map((s) => ({ label: s.label, color: color(s.label) })), M.left + 12, 40));
  if (opts.note) body.push(`<text x="${W - M.right}" y="${H - 8}" text-anchor="end" font-size="10" fill="#555">${esc(opts.note)}</text>`);
  return frame(opts.title, body, H);
}

/** The plots that apply to these results, by file name suffix: capacity, hlm, accuracy. */
export function reportPlots(sums: SweepSummary[]): Record<string, string> {
  const out: Record<string, string> = {};
  const cols = capacityColumns(sums);
  const models = [...new Set(sums.map((s) => s.key.model))].join(', ');
  if (cols.length > 0) {
    const points = (what: 'capacity' | 'hLm'): StripPoint[] =>
      cols.flatMap((c) => c.sweeps.flatMap((s) => s.texts.map((t) => ({ category: s.key.source, series: c.label, id: t.text, value: t[what] }))));
    const note = 'small dots: texts; large dots: mean per source';
    out.capacity = stripPlot({ title: `Capacity per text (${models})`, yLabel: 'longest prefix reconstructed, tokens (log scale)', log2: true, points: points('capacity'), series: cols.map((c) => c.label), note });
    out.hlm = stripPlot({ title: `Language information compressed, H_LM (${models})`, yLabel: 'H_LM of the longest reconstructed prefix (nats)', points: points('hLm'), series: cols.map((c) => c.label), note });
  }
  const fixed = sums.filter((s) => s.key.keepGoing);
  if (fixed.length > 0) {
    const severalSources = new Set(fixed.map((s) => s.key.source)).size > 1;
    const series: LineSeries[] = fixed.map((s) => ({
      label: `${layoutLabel(s.key)}${s.key.share === 'none' ? '' : `, ${shareLabel(s.key)}`}${s.key.method === 'oneshot' ? '' : `, ${s.key.method}`}${severalSources ? `, ${s.key.source}` : ''}`,
      points: [...s.byLength.entries()].map(([L, v]) => {
        const st = stat(v.best);
        return { x: L, mean: st.mean, std: st.std, n: st.n };
      }),
    }));
    out.accuracy = accuracyPlot({ title: `Accuracy by length (${models})`, series, note: 'mean ± std over texts of the best seed per text' });
  }
  // Table 2 as curves: accuracy against the group size, per shared vector and aggregate, one plot per length.
  if (fixed.some((s) => s.key.share !== 'none')) {
    const lengths = [...new Set(fixed.flatMap((s) => [...s.byLength.keys()]))].sort((a, b) => a - b);
    // Different text sets (sources) are separate curves: their S_g = 1 points are different runs.
    const sources = [...new Set(fixed.map((s) => s.key.source))];
    const series: LineSeries[] = [];
    for (const src of sources) {
      const here = fixed.filter((s) => s.key.source === src);
      for (const L of lengths) {
        for (const share of ['e', 'm'] as const) {
          if (!here.some((s) => s.key.share === share)) continue;
          for (const agg of ['best', 'mean'] as const) {
            const pts = here
              .filter((s) => (s.key.share === share || s.key.share === 'none') && s.byLength.has(L))
              .map((s) => {
                const st = stat(s.byLength.get(L)![agg]);
                return { x: s.key.share === 'none' ? 1 : s.key.group, mean: st.mean, std: st.std, n: st.n };
              });
            const label = `shared ${share}, ${agg === 'best' ? 'max' : 'avg'} over seeds${lengths.length > 1 ? `, N = ${L}` : ''}${sources.length > 1 ? `, ${src}` : ''}`;
            if (pts.length) series.push({ label, points: pts });
          }
        }
      }
    }
    out.sharing = accuracyPlot({ title: `Accuracy with a shared proto-token (${models})`, series, xLabel: 'group size S_g (texts sharing the vector, log scale)', yLabel: 'token accuracy', xName: 'S_g', note: 'mean ± std over texts; S_g = 1: nothing shared' });
  }
  return out;
}
