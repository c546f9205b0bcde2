/**
 * The capacity-against-weight-precision table of docs/RESULTS.md (issue 16) from the sweeps of
 * `bash scripts/experiments-stories260k.sh results/stories260k precision-pg19 precision-random`:
 * per source and format, each text's capacity (the ladder stops at 32, so 32 reads "at least 32"),
 * the mean C_tokens and H_LM at capacity (protolab report), and the steps each text needed at the
 * last rungs.
 *
 *   npx tsx scripts/precision-table.ts [DIR]   (default results/stories260k)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const dir = process.argv[2] ?? 'results/stories260k';
const FORMATS = ['f32', 'bf16', 'q8', 'q4'];
const SOURCES = ['pg19', 'random'];
const RUNGS = [16, 22, 32];

interface Attempt {
  text: string;
  length: number;
  passed: boolean;
  steps: number[];
  stoppedBy: string;
}

console.log(`| source | weights | capacity per text | C_tokens mean | H_LM mean (nats) | ${RUNGS.map((n) => `steps at ${n}`).join(' | ')} |`);
console.log(`| --- | --- | --- | ---: | ---: | ${RUNGS.map(() => '---').join(' | ')} |`);
for (const src of SOURCES) {
  for (const f of FORMATS) {
    const file = `${dir}/precision-${src}-${f}.jsonl`;
    if (!existsSync(file)) {
      console.log(`| ${src} | ${f} | not run | | | ${RUNGS.map(() => '').join(' | ')} |`);
      continue;
    }
    const r = JSON.parse(execFileSync('node', ['bin/protolab.mjs', 'report', file, '--json', '--no-plots']).toString()) as {
      sweeps: { texts: { text: string; capacity: number }[]; cTokens: { mean: number }; hLm: { mean: number } }[];
    };
    const s = r.sweeps[0];
    const attempts = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"passed"'))
      .map((l) => JSON.parse(l) as Attempt);
    // "–" where the text did not get to that rung; a failure shows its steps with ✗.
    const stepsAt = (n: number) =>
      s.texts
        .map((t) => {
          const a = attempts.find((x) => x.text === t.text && x.length === n);
          return a ? `${a.steps[0]}${a.passed ? '' : ' ✗'}` : '–';
        })
        .join(', ');
    console.log(`| ${src} | ${f} | ${s.texts.map((t) => t.capacity).join(', ')} | ${s.cTokens.mean.toFixed(1)} | ${s.hLm.mean.toFixed(1)} | ${RUNGS.map(stepsAt).join(' | ')} |`);
  }
}
