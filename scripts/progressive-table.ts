/**
 * The progressive-against-from-scratch tables of docs/RESULTS.md (issue 19) from the sweeps of
 * `bash scripts/experiments-stories260k.sh results/stories260k progressive-pg19 progressive-random`:
 * per source and start, each text's capacity for each restart-seed base, the mean ± std, median
 * and range over texts and seeds, the steps spent and the training time; then the capacity within
 * the same total budget of T steps per text (capacityWithin, read off the same records), with the
 * issue 16 sweeps of the same texts from scratch at 5000 steps per length (precision-SRC-f32.jsonl,
 * seed base 0, the ladder to 32) beside them when present.
 *
 *   npx tsx scripts/progressive-table.ts [DIR]   (default results/stories260k)
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseRecords, initOf } from '../src/experiments/records.ts';
import { capacityWithin, stat, summarise, type SweepSummary } from '../src/experiments/report.ts';

const dir = process.argv[2] ?? 'results/stories260k';
const SOURCES = ['pg19', 'random'];
const BUDGETS = [500, 1000, 1500, 2000, 3000];
const pm = (xs: number[], d: number) => {
  const s = stat(xs);
  return `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}`;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const START = { normal: 'from scratch', progressive: 'progressive' } as const;

const bySource = new Map<string, SweepSummary[]>();
for (const src of SOURCES) {
  const sums = summarise(parseRecords(readFileSync(`${dir}/progressive-${src}.jsonl`, 'utf8')).records).filter((s) => !s.key.keepGoing);
  bySource.set(src, sums);
}

console.log('| source | start | capacity per text, seed base 0 / 1 | capacity mean ± std | median | min–max | steps spent mean ± std | training time |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const src of SOURCES) {
  for (const init of ['normal', 'progressive'] as const) {
    const sums = bySource.get(src)!.filter((s) => initOf(s.key) === init).sort((a, b) => a.key.seedBase - b.key.seedBase);
    const texts = sums[0].texts.map((t) => t.text);
    const caps = sums.flatMap((s) => s.texts.map((t) => t.capacity));
    const steps = sums.flatMap((s) => s.texts.map((t) => t.steps));
    const perText = texts.map((id) => sums.map((s) => s.texts.find((t) => t.text === id)?.capacity ?? '–').join(' / ')).join(', ');
    const seconds = sums.reduce((a, s) => a + s.seconds, 0);
    console.log(`| ${src} | ${START[init]} | ${perText} | ${pm(caps, 1)} (${caps.length}) | ${median(caps)} | ${Math.min(...caps)}–${Math.max(...caps)} | ${pm(steps, 0)} | ${seconds.toFixed(0)} s |`);
  }
}

console.log('');
console.log(`| source | start, steps per length (chains) | ${BUDGETS.map((T) => `T = ${T}`).join(' | ')} | whole run | steps spent |`);
console.log(`| --- | --- | ${BUDGETS.map(() => '---:').join(' | ')} | ---: | ---: |`);
const row = (src: string, label: string, sums: SweepSummary[]) => {
  const cells = BUDGETS.map((T) => pm(sums.flatMap((s) => s.texts.map((t) => capacityWithin(s, t.text, T))), 1));
  const n = sums.reduce((a, s) => a + s.texts.length, 0);
  const whole = pm(sums.flatMap((s) => s.texts.map((t) => t.capacity)), 1);
  console.log(`| ${src} | ${label} (${n}) | ${cells.join(' | ')} | ${whole} | ${pm(sums.flatMap((s) => s.texts.map((t) => t.steps)), 0)} |`);
};
for (const src of SOURCES) {
  for (const init of ['normal', 'progressive'] as const) row(src, `${START[init]}, 1000`, bySource.get(src)!.filter((s) => initOf(s.key) === init));
  const paper = `${dir}/precision-${src}-f32.jsonl`;
  if (existsSync(paper)) row(src, 'from scratch, 5000, seed base 0, ladder to 32', summarise(parseRecords(readFileSync(paper, 'utf8')).records));
}
