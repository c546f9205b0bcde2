/**
 * Aggregates of sweep records: per-text capacity (Table 3, Figures 1 and 3), accuracy by layout
 * and length (Table 1) and by sharing group size (Table 2), as data and as text or Markdown tables.
 */
import { LAYOUTS } from '../shared/layouts.ts';
import { attemptSteps, canonicalJson, initOf, keyOf, type SweepInit, type SweepKey, type SweepRecord } from './records.ts';
import { median, pm, renderTable, stat, type Stat, type TableFormat } from './report-format.ts';
import { pairRows, progressivePairs, progressiveTable } from './report-progressive.ts';

export { attemptSteps } from './records.ts';
export { renderTable, stat, type Stat, type TableFormat } from './report-format.ts';
export { capacityWithin, pairRows, progressivePairs, progressiveTable, type ProgressivePair } from './report-progressive.ts';

export interface TextCapacity {
  text: string;
  source: string;
  /** Longest length reached with best-over-seeds accuracy >= threshold before the first failure (0: none). */
  capacity: number;
  /** Correct tokens of the best seed at that length (Eq. 2), and H_LM of that prefix in nats (Eq. 3). */
  cTokens: number;
  hLm: number;
  /** Lengths tried, in order. */
  tried: number[];
  /** false while the text's ladder is unfinished (no failure yet and lengths left): a lower bound. */
  complete: boolean;
  /** Optimisation steps the text spent on the lengths it tried (attemptSteps of each, summed). */
  steps: number;
}

export interface SweepSummary {
  sweep: string;
  key: SweepKey;
  /** Per text, in the sweep's text order (records from before sharding: the order of first appearance). */
  texts: TextCapacity[];
  records: SweepRecord[];
  /** Total wall time of the attempts (each attempt counted once). */
  seconds: number;
  /** Distinct texts per length: accuracy aggregates (best and mean over seeds, per text). */
  byLength: Map<number, { best: number[]; mean: number[] }>;
}

/** Records grouped by sweep (first appearance order); a later record of the same text and length replaces an earlier one. */
export function summarise(records: readonly SweepRecord[]): SweepSummary[] {
  const bySweep = new Map<string, Map<string, SweepRecord>>();
  for (const r of records) {
    if (!bySweep.has(r.sweep)) bySweep.set(r.sweep, new Map());
    bySweep.get(r.sweep)!.set(`${r.text}\u0000${r.length}`, r);
  }
  return [...bySweep.entries()].map(([sweep, m]) => {
    // In the sweep's text order where records carry it (index), so merged shards sum and read like one run.
    const recs = [...m.values()].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity) || 0);
    const perText = new Map<string, SweepRecord[]>();
    for (const r of recs) {
      if (!perText.has(r.text)) perText.set(r.text, []);
      perText.get(r.text)!.push(r);
    }
    const texts = [...perText.entries()].map(([text, rs]) => capacityOf(text, rs));
    const attempts = new Map<string, number>();
    for (const r of recs) attempts.set(r.attempt, r.seconds);
    const byLength = new Map<number, { best: number[]; mean: number[] }>();
    for (const r of [...recs].sort((a, b) => a.length - b.length)) {
      if (!byLength.has(r.length)) byLength.set(r.length, { best: [], mean: [] });
      byLength.get(r.length)!.best.push(r.best);
      byLength.get(r.length)!.mean.push(r.mean);
    }
    return { sweep, key: keyOf(recs[0]), texts, records: recs, seconds: [...attempts.values()].reduce((a, b) => a + b, 0), byLength };
  });
}

function capacityOf(text: string, rs: SweepRecord[]): TextCapacity {
  const sorted = [...rs].sort((a, b) => a.length - b.length);
  let capacity = 0;
  let cTokens = 0;
  let hLm = 0;
  let failed = false;
  for (const r of sorted) {
    if (!r.passed) {
      failed = true;
      break;
    }
    capacity = r.length;
    cTokens = Math.max(...r.correct);
    hLm = r.hLm;
  }
  const last = sorted[sorted.length - 1];
  const lengths = last.lengths ?? [];
  const complete = failed || lengths.length === 0 || sorted.some((r) => r.length === lengths[lengths.length - 1]);
  const tried = sorted.slice(0, failed ? sorted.findIndex((r) => !r.passed) + 1 : sorted.length);
  return { text, source: last.source, capacity, cTokens, hLm, tried: sorted.map((r) => r.length), complete, steps: tried.reduce((n, r) => n + attemptSteps(r), 0) };
}

// ---------------------------------------------------------------------------------------------
// Labels

export function shareLabel(k: Pick<SweepKey, 'share' | 'group'>): string {
  return k.share === 'none' ? 'not shared' : `shared ${k.share} (groups of ${k.group})`;
}

/** The memory-token method has no layout: its K instead. */
const memoryLabel = (K: number) => `K = ${K} memory vector${K === 1 ? '' : 's'}`;

/** How attempts start, for labels: nothing for a draw, unless `always` (beside warm-started sweeps: "from scratch"). */
export function initLabel(k: Pick<SweepKey, 'init'>, always = false): string {
  const init = initOf(k);
  if (init === 'normal') return always ? ', from scratch' : '';
  const labels: Record<Exclude<SweepInit, 'normal'>, string> = { progressive: ', progressive', 'universal-m': ', universal m as start', 'universal-m frozen': ', universal m frozen', encoder: ', from the encoder' };
  return labels[init];
}

export function layoutLabel(k: Pick<SweepKey, 'layout' | 'firstTarget'>): string {
  return `${LAYOUTS[k.layout]?.label ?? k.layout}${k.firstTarget === 'first-m' ? ' (t1 at first m)' : ''}`;
}

/**
 * Labels that tell sweeps apart: the base label, and then, among sweeps that still share a label,
 * whatever setting differs between them (steps, seeds, layout, ...), added to all of them.
 */
function distinctLabels(sums: SweepSummary[], base: (k: SweepKey) => string): string[] {
  const extras: ((s: SweepSummary) => string)[] = [
    (s) => s.key.method,
    (s) => layoutLabel(s.key),
    (s) => `${s.key.settings.maxSteps} steps`,
    (s) => `${s.key.seeds} seed${s.key.seeds === 1 ? '' : 's'}`,
    (s) => `lr ${s.key.settings.lr}`,
    (s) => `init ${s.key.settings.init}`,
    (s) => `stop ${s.key.stop}`,
    (s) => s.key.model,
    (s) => `text seed ${s.key.textSeed}`,
    (s) => `seed base ${s.key.seedBase}`,
  ];
  const out = sums.map((s) => base(s.key));
  for (const extra of extras) {
    const values = new Map<string, Set<string>>();
    out.forEach((l, i) => {
      if (!values.has(l)) values.set(l, new Set());
      values.get(l)!.add(extra(sums[i]));
    });
    out.forEach((l, i) => {
      if (values.get(l)!.size > 1) out[i] = `${l}, ${extra(sums[i])}`;
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tables

export interface CapacityColumn {
  label: string;
  sweeps: SweepSummary[];
}

/** Capacity sweeps (not keepGoing) as columns, one per method and sharing (and whatever else differs). */
export function capacityColumns(sums: SweepSummary[]): CapacityColumn[] {
  const cap = sums.filter((s) => !s.key.keepGoing);
  const warm = cap.some((s) => initOf(s.key) !== 'normal');
  const labels = distinctLabels(cap, (k) => `${k.method} ${shareLabel(k)}${initLabel(k, warm)}`);
  const cols: CapacityColumn[] = [];
  cap.forEach((s, i) => {
    let c = cols.find((x) => x.label === labels[i]);
    if (!c) cols.push((c = { label: labels[i], sweeps: [] }));
    c.sweeps.push(s);
  });
  return cols;
}

/**
 * Table 3: per source, C_tokens (max over texts, and mean ± std) and H_LM (mean ± std, nats) at
 * each text's capacity, one column per method and sharing.
 */
export function capacityTable(sums: SweepSummary[], format: TableFormat): string {
  const cols = capacityColumns(sums);
  if (cols.length === 0) return '';
  const sources = [...new Set(cols.flatMap((c) => c.sweeps.map((s) => s.key.source)))];
  const rows: string[][] = [];
  for (const src of sources) {
    const texts = cols.map((c) => c.sweeps.filter((s) => s.key.source === src).flatMap((s) => s.texts));
    const open = texts.map((ts) => ts.filter((t) => !t.complete).length);
    const mark = (i: number) => (open[i] > 0 ? ` (${open[i]} unfinished)` : '');
    rows.push([src, 'texts', ...texts.map((ts, i) => (ts.length ? `${ts.length}${mark(i)}` : '–'))]);
    rows.push(['', 'C_tokens max', ...texts.map((ts) => (ts.length ? String(Math.max(...ts.map((t) => t.cTokens))) : '–'))]);
    rows.push(['', 'C_tokens mean', ...texts.map((ts) => pm(stat(ts.map((t) => t.cTokens)), 1))]);
    rows.push(['', 'capacity median', ...texts.map((ts) => (ts.length ? String(median(ts.map((t) => t.capacity))) : '–'))]);
    rows.push(['', 'H_LM (nats)', ...texts.map((ts) => pm(stat(ts.map((t) => t.hLm)), 1))]);
    rows.push(['', 'steps spent', ...texts.map((ts) => pm(stat(ts.map((t) => t.steps)), 0))]);
  }
  return renderTable(['source', 'measure', ...cols.map((c) => c.label)], rows, format, ['l', 'l']);
}

/** Table 1: fixed-length sweeps without sharing; rows = layout (and method), columns = lengths, cells = accuracy (best over seeds) mean ± std over texts. */
export function layoutTable(sums: SweepSummary[], format: TableFormat): string {
  const fixed = sums.filter((s) => s.key.keepGoing && s.key.share === 'none');
  if (fixed.length === 0) return '';
  const lengths = [...new Set(fixed.flatMap((s) => [...s.byLength.keys()]))].sort((a, b) => a - b);
  const several = new Set(fixed.map((s) => s.key.source)).size > 1;
  const labels = distinctLabels(fixed, (k) => `${layoutLabel(k)}${k.method === 'oneshot' ? '' : ` (${k.method})`}${several ? `, ${k.source}` : ''}`);
  const rows = fixed.map((s, i) => [labels[i], ...lengths.map((L) => cell(s, L, 'best'))]);
  return renderTable(['arrangement', ...lengths.map((L) => `N = ${L}`)], rows, format);
}

function cell(s: SweepSummary, L: number, agg: 'best' | 'mean'): string {
  const x = s.byLength.get(L);
  if (!x) return '–';
  return `${pm(stat(x[agg]), 2)} (${x[agg].length})`;
}

/** Table 2: fixed-length sweeps; rows = shared vector x aggregate (max/avg over seeds), columns = group size. Sweeps without sharing are group size 1 of both rows. */
export function sharingTable(sums: SweepSummary[], format: TableFormat): string {
  const fixed = sums.filter((s) => s.key.keepGoing);
  if (!fixed.some((s) => s.key.share !== 'none')) return '';
  const out: string[] = [];
  const setups = new Map<string, SweepSummary[]>();
  for (const s of fixed) {
    const k = `${s.key.method}|${s.key.layout}|${s.key.firstTarget}|${s.key.source}|${s.key.seeds}|${s.key.settings.maxSteps}`;
    if (!setups.has(k)) setups.set(k, []);
    setups.get(k)!.push(s);
  }
  for (const group of setups.values()) {
    if (!group.some((s) => s.key.share !== 'none')) continue;
    const lengths = [...new Set(group.flatMap((s) => [...s.byLength.keys()]))].sort((a, b) => a - b);
    const sizes = [...new Set(group.map((s) => s.key.group))].sort((a, b) => a - b);
    const k0 = group[0].key;
    for (const L of lengths) {
      const rows: string[][] = [];
      for (const share of ['e', 'm'] as const) {
        if (!group.some((s) => s.key.share === share)) continue;
        for (const agg of ['best', 'mean'] as const) {
          rows.push([
            share,
            agg === 'best' ? 'max' : 'avg',
            ...sizes.map((g) => {
              const s = group.find((x) => x.key.group === g && (x.key.share === share || (g === 1 && x.key.share === 'none')));
              return s ? cell(s, L, agg) : '–';
            }),
          ]);
        }
      }
      out.push(`${k0.source}, N = ${L}, ${k0.seeds} seeds, ${k0.settings.maxSteps} steps, ${layoutLabel(k0)}, ${k0.method}`);
      out.push(renderTable(['shared', 'agg', ...sizes.map((g) => `S_g = ${g}`)], rows, format, ['l', 'l']));
    }
  }
  return out.join('\n\n');
}

/** Capacity per text id: one sweep's value, or the best over the sweeps that hold the text. */
export function capacityByText(sums: SweepSummary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of sums.filter((x) => !x.key.keepGoing)) for (const t of s.texts) out[t.text] = Math.max(out[t.text] ?? 0, t.capacity);
  return out;
}

/** The report as one JSON-ready object (`protolab report --json`). */
export function reportJson(sums: SweepSummary[]): Record<string, unknown> {
  return {
    capacity: capacityByText(sums),
    progressive: progressivePairs(sums).map((p) => ({
      source: p.progressive.key.source,
      seedBase: p.progressive.key.seedBase,
      scratch: p.scratch.sweep,
      progressive: p.progressive.sweep,
      texts: pairRows(p).map((r) => ({ text: r.text, scratch: { capacity: r.scratch.capacity, steps: r.scratch.steps, complete: r.scratch.complete }, progressive: { capacity: r.progressive.capacity, steps: r.progressive.steps, complete: r.progressive.complete } })),
    })),
    sweeps: sums.map((s) => ({
      sweep: s.sweep,
      ...s.key,
      init: initOf(s.key),
      sweepSeconds: s.seconds,
      texts: s.texts,
      capacity: Object.fromEntries(s.texts.map((t) => [t.text, t.capacity])),
      cTokens: stat(s.texts.map((t) => t.cTokens)),
      hLm: stat(s.texts.map((t) => t.hLm)),
      byLength: Object.fromEntries([...s.byLength.entries()].map(([L, x]) => [L, { best: stat(x.best), mean: stat(x.mean) }])),
    })),
  };
}

/** All tables that apply, with headings. */
export function reportText(sums: SweepSummary[], format: TableFormat): string {
  const parts: string[] = [];
  const h = (t: string) => (format === 'markdown' ? `### ${t}` : `${t}\n${'='.repeat(t.length)}`);
  const cap = capacityTable(sums, format);
  if (cap) {
    const models = [...new Set(sums.map((s) => s.key.model))].join(', ');
    parts.push(h(`Capacity (Table 3 style), ${models}`), cap, 'C_tokens and H_LM at each text\'s capacity: the longest ladder length reconstructed with accuracy >= 0.99 (best seed) before the first failure. H_LM in nats.');
  }
  const prog = progressiveTable(sums, format);
  if (prog) {
    parts.push(
      h('Progressive against from scratch (issue 19)'),
      prog,
      "Capacity per text and restart-seed base: from scratch, every length starts from a seeded draw; progressive, from the previous length's best e and m (the new positions taking m). Both have the same step budget per length, so the same total budget over the ladder; steps are what each text spent (to the report interval). '+': the ladder's end was reached (a lower bound).",
    );
  }
  const lay = layoutTable(sums, format);
  if (lay) parts.push(h('Accuracy by arrangement and length (Table 1 style)'), lay, 'Token accuracy of the best seed per text, mean ± std over texts (number of texts).');
  const sh = sharingTable(sums, format);
  if (sh) parts.push(h('Accuracy with a shared proto-token (Table 2 style)'), sh, '"max": best seed per text, "avg": mean over seeds; then mean ± std over texts (number of texts).');
  if (parts.length === 0) return 'No results in this file.';
  const time = sums.map((s) => `${s.sweep}: ${s.key.method} ${shareLabel(s.key)}${initLabel(s.key)}, ${s.key.source}, ${s.key.method === 'memory' ? memoryLabel(s.key.memoryTokens ?? 1) : layoutLabel(s.key)}, ${s.texts.length} texts x ${s.key.seeds} seed${s.key.seeds === 1 ? '' : 's'}, ${s.key.settings.maxSteps} steps max, ${s.seconds.toFixed(0)} s of training`);
  parts.push(h('Sweeps'), time.join('\n'));
  return parts.join('\n\n');
}
