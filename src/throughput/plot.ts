/**
 * Throughput against text length for both decoding methods (the paper's Figure 4 as curves), as an
 * SVG string built with d3 scales (no DOM). Filled markers: the method's own solution reproduced
 * the text; hollow: stand-in vectors (timing only).
 */
import { scaleLog, line as d3line } from 'd3';
import type { ThroughputRecord, ThroughputTiming } from './throughput.ts';

const W = 760;
const H = 460;
const M = { top: 80, right: 24, bottom: 64, left: 78 };
const COLORS = { oneshot: '#4e79a7', memory: '#e15759' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

export function throughputPlot(records: readonly ThroughputRecord[], opts: { title: string; note?: string }): string {
  if (records.length === 0) throw new Error('Nothing to plot: no throughput records.');
  const rows = [...records].sort((a, b) => a.N - b.N);
  const Ns = rows.map((r) => r.N);
  const tps = rows.flatMap((r) => [r.oneShot.tokensPerSecond, r.memory.tokensPerSecond]);
  const x = scaleLog().base(2).domain([Math.min(...Ns), Math.max(Math.min(...Ns) * 2, Math.max(...Ns))]).range([M.left + 12, W - M.right - 12]);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...tps)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...tps)));
  const y = scaleLog().domain([lo, hi]).range([H - M.bottom, M.top]);
  const body: string[] = [];
  for (let t = lo; t <= hi; t *= 10) {
    const yy = n2(y(t));
    body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#e4e4e4"/>`);
    body.push(`<text x="${M.left - 8}" y="${yy}" dy="0.32em" text-anchor="end">${t}</text>`);
  }
  body.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="black"/>`);
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`);
  for (const N of Ns) {
    body.push(`<line x1="${n2(x(N))}" x2="${n2(x(N))}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="black"/>`);
    body.push(`<text x="${n2(x(N))}" y="${H - M.bottom + 18}" text-anchor="middle">${N}</text>`);
  }
  body.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 38}" text-anchor="middle">text length N (tokens, log scale)</text>`);
  body.push(`<text transform="translate(20 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">reproduction throughput (tokens/s, log scale)</text>`);
  const K = rows[0].memory.K;
  const series: [keyof typeof COLORS, string, (r: ThroughputRecord) => ThroughputTiming][] = [
    ['oneshot', 'one forward pass ([e][m]x(N-1))', (r) => r.oneShot],
    ['memory', `autoregressive from ${K} memory vector${K === 1 ? '' : 's'}, KV cache`, (r) => r.memory],
  ];
  series.forEach(([key, label, pick], i) => {
    const color = COLORS[key];
    const path = d3line<ThroughputRecord>()
      .x((r) => x(r.N))
      .y((r) => y(pick(r).tokensPerSecond))(rows);
    body.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const r of rows) {
      const t = pick(r);
      const own = t.reproduced !== null;
      const tip = `${label}, N = ${r.N}: ${t.tokensPerSecond.toFixed(1)} tokens/s (median ${(1000 * t.seconds).toFixed(1)} ms)${own ? `, reproduces ${t.reproduced}/${t.tokens}` : ', stand-in vectors'}`;
      body.push(`<circle class="${key}${own ? ' own' : ''}" cx="${n2(x(r.N))}" cy="${n2(y(t.tokensPerSecond))}" r="5" fill="${own ? color : 'white'}" stroke="${color}" stroke-width="2"><title>${esc(tip)}</title></circle>`);
    }
    const ly = 42 + 17 * i;
    body.push(`<circle cx="${M.left + 12}" cy="${ly}" r="5" fill="${color}"/><text x="${M.left + 22}" y="${ly}" dy="0.32em">${esc(label)}</text>`);
  });
  body.push(`<text x="${W - M.right}" y="42" dy="0.32em" text-anchor="end" fill="#555">filled: the method's own solution reproduced the text</text>`);
  body.push(`<text x="${W - M.right}" y="59" dy="0.32em" text-anchor="end" fill="#555">hollow: stand-in vectors, timing only</text>`);
  if (opts.note) body.push(`<text x="${W - M.right}" y="${H - 8}" text-anchor="end" font-size="10" fill="#555">${esc(opts.note)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}
