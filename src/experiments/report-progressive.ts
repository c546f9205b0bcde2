/**
 * Progressive sweeps beside their from-scratch twins (issue 19): capacity and steps per text and
 * seed, and capacity within a total step budget, from the records alone.
 */
import { attemptSteps, canonicalJson, initOf, keyOf, type SweepKey } from './records.ts';
import { median, pm, renderTable, stat, type TableFormat } from './report-format.ts';
import type { SweepSummary, TextCapacity } from './report.ts';

/**
 * The capacity a text of a capacity sweep reaches within a total budget of `budget` steps over
 * its ladder: the longest length passed before the first failure whose lengths, up to it, cost
 * at most that many steps together (attemptSteps). Each attempt stops once solved, so a sweep run
 * with that total budget as well would have trained exactly these attempts (to the report
 * interval): both modes are compared at the same total budget from the records themselves.
 */
export function capacityWithin(sum: SweepSummary, text: string, budget: number): number {
  let spent = 0;
  let capacity = 0;
  for (const r of sum.records.filter((x) => x.text === text).sort((a, b) => a.length - b.length)) {
    if (!r.passed) break;
    spent += attemptSteps(r);
    if (spent > budget) break;
    capacity = r.length;
  }
  return capacity;
}

/** A progressive capacity sweep and the from-scratch sweep that differs from it only in init. */
export interface ProgressivePair {
  scratch: SweepSummary;
  progressive: SweepSummary;
}

/** Every progressive capacity sweep with its from-scratch twin (same model, texts, seeds, budget, ...), in order of appearance. */
export function progressivePairs(sums: SweepSummary[]): ProgressivePair[] {
  const cap = sums.filter((s) => !s.key.keepGoing);
  const bare = (k: SweepKey) => canonicalJson({ ...keyOf(k), init: undefined });
  const out: ProgressivePair[] = [];
  for (const p of cap.filter((s) => initOf(s.key) === 'progressive')) {
    const scratch = cap.find((s) => initOf(s.key) === 'normal' && bare(s.key) === bare(p.key));
    if (scratch) out.push({ scratch, progressive: p });
  }
  return out;
}

/** The texts both sweeps of a pair hold, each with its capacity and steps in both. */
export function pairRows(pair: ProgressivePair): { text: string; scratch: TextCapacity; progressive: TextCapacity }[] {
  return pair.progressive.texts.flatMap((p) => {
    const s = pair.scratch.texts.find((t) => t.text === p.text);
    return s ? [{ text: p.text, scratch: s, progressive: p }] : [];
  });
}

/**
 * From scratch against progressive, side by side: per source, one row per text and restart-seed
 * base (each pair of sweeps with the same key but init), then mean ± std, median and min-max over
 * all of them. Both modes have the same budget per length (`maxSteps`), so the same total budget
 * over the ladder; "steps" is what each text spent (attemptSteps summed over its lengths).
 */
export function progressiveTable(sums: SweepSummary[], format: TableFormat): string {
  const pairs = progressivePairs(sums);
  if (pairs.length === 0) return '';
  const rows: string[][] = [];
  const sources = [...new Set(pairs.map((p) => p.progressive.key.source))];
  const several = new Set(pairs.map((p) => canonicalJson({ ...keyOf(p.progressive.key), source: undefined, seedBase: undefined }))).size > 1;
  const cap = (t: TextCapacity) => `${t.capacity}${t.complete ? '' : '+'}`;
  for (const src of sources) {
    const here = pairs.filter((p) => p.progressive.key.source === src);
    const all = here.flatMap((p) => pairRows(p).map((r) => ({ ...r, pair: p })));
    for (const r of all) {
      const k = r.pair.progressive.key;
      const setup = several ? ` (${k.settings.maxSteps} steps, ${k.seeds} seed${k.seeds === 1 ? '' : 's'})` : '';
      rows.push([src, `${r.text}${setup}`, String(k.seedBase), cap(r.scratch), cap(r.progressive), String(r.scratch.steps), String(r.progressive.steps)]);
    }
    const col = (f: (r: (typeof all)[number]) => number, digits: number) => {
      const x = all.map(f);
      const st = stat(x);
      return { pm: pm(st, digits), med: String(median(x)), range: `${st.min}–${st.max}` };
    };
    const cols = [col((r) => r.scratch.capacity, 1), col((r) => r.progressive.capacity, 1), col((r) => r.scratch.steps, 0), col((r) => r.progressive.steps, 0)];
    rows.push([src, `mean ± std (${all.length})`, '', ...cols.map((c) => c.pm)]);
    rows.push([src, 'median', '', ...cols.map((c) => c.med)]);
    rows.push([src, 'min–max', '', ...cols.map((c) => c.range)]);
  }
  return renderTable(['source', 'text', 'seed base', 'capacity from scratch', 'capacity progressive', 'steps from scratch', 'steps progressive'], rows, format, ['l', 'l', 'r']);
}
