import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { protolab, protolabAsync, errorLine } from '../helpers/cli.ts';
import { STORIES, ASSETS } from '../helpers/fixtures.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { parseRecords, type SweepRecord } from '../../src/experiments/records.ts';

const BIN = fileURLToPath(new URL('../../bin/protolab.mjs', import.meta.url));
const SMALL = ['--seeds', '1', '--steps', '40', '--report-every', '10', '--max-length', '8'];
const outcome = (r: SweepRecord) => [r.text, r.length, r.tokens, r.correct, r.steps, r.stepsRun, r.passed, r.hLm];
const read = (f: string) => parseRecords(readFileSync(f, 'utf8')).records;

describe('protolab sweep and report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-sweep-cli-'));
  let tokenizer: Tokenizer;
  beforeAll(async () => {
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
  });

  it('refuses every wrong argument with one line and a non-zero exit, before any work', async () => {
    const m = ['--model', STORIES];
    const ok = ['--source', 'random', '--texts', '2', '--seeds', '1'];
    // A folder whose one text is Latin-1: the reason it was left out is in the one line, not dropped.
    const latin1 = join(dir, 'latin1');
    mkdirSync(latin1);
    writeFileSync(join(latin1, 'a.txt'), Buffer.from('caf\xe9 au lait, une histoire tr\xe8s longue.\n', 'latin1'));
    const cases: [string[], RegExp][] = [
      [['sweep', ...m, '--source', latin1, '--texts', '1', '--seeds', '1', '--out', join(dir, 'latin1.jsonl')], /could give them: a\.txt: a\.txt is not UTF-8 text \(invalid byte 0xe9 at offset 3\); save it as UTF-8 and try again\.$/],
      [['sweep', ...ok], /--model DIR is required/],
      [['sweep', ...m, '--texts', '2', '--seeds', '1'], /--source .* is required/],
      [['sweep', ...m, '--source', 'random', '--seeds', '1'], /--texts K .* is required/],
      [['sweep', ...m, '--source', 'random', '--texts', '2'], /--seeds S .* is required/],
      [['sweep', ...m, ...ok.slice(0, 4), '--seeds', '0'], /--seeds must be a whole number from 1 to 64, got "0"/],
      [['sweep', ...m, '--source', 'random', '--texts', 'two', '--seeds', '1'], /--texts must be a whole number from 1 to 1000, got "two"/],
      [['sweep', ...m, '--source', 'no-such-source', '--texts', '2', '--seeds', '1'], /Unknown text source "no-such-source"/],
      [['sweep', ...m, ...ok, '--share', 'x', '--group', '2'], /--share must be m or e/],
      [['sweep', ...m, ...ok, '--share', 'm'], /--share m needs --group G/],
      [['sweep', ...m, ...ok, '--group', '4'], /--group needs --share m or --share e/],
      [['sweep', ...m, ...ok, '--share', 'e', '--group', '0'], /--group must be a positive whole number/],
      [['sweep', ...m, ...ok, '--share', 'm', '--group', '2', '--pack', '4'], /--pack is for texts that share nothing/],
      [['sweep', ...m, ...ok, '--method', 'memory', '--share', 'm', '--group', '2'], /--method memory shares nothing/],
      [['sweep', ...m, ...ok, '--method', 'memory', '--layout', 'e*N'], /--layout is a setting of the one-shot method/],
      [['sweep', ...m, ...ok, '--memory-tokens', '2'], /--memory-tokens goes with --method memory/],
      [['sweep', ...m, ...ok, '--method', 'memory', '--memory-tokens', '0'], /--memory-tokens must be a whole number from 1 to 64, got "0"/],
      [['sweep', ...m, ...ok, '--method', 'zip'], /--method must be one of oneshot, memory, got "zip"/],
      [['sweep', ...m, ...ok, '--seeds', '100000'], /--seeds must be a whole number from 1 to 64, got "100000"/],
      [['sweep', ...m, ...ok, '--layout', 'zigzag'], /--layout must be one of/],
      [['sweep', ...m, ...ok, '--steps', '0'], /--steps must be a whole number from 1 to 100000, got "0"/],
      [['sweep', ...m, ...ok, '--lengths', '4,x'], /--lengths must be whole numbers from 1 to 100000, separated by commas \("x" is not\), got "4,x"/],
      [['sweep', ...m, ...ok, '--lengths', '4', '--max-length', '8'], /--lengths or --max-length, not both/],
      [['sweep', ...m, ...ok, '--out', dir], /--out: .* is a folder/],
      [['sweep', ...m, ...ok, '--colour'], /Unknown option '--colour'/],
      [['sweep', ...m, ...ok, '--progressive', '--method', 'memory'], /^protolab: --progressive warm-starts the proto-tokens e and m of the one-shot method; --method memory has none\.$/],
      [['sweep', ...m, ...ok, '--progressive', '--share', 'm', '--group', '2'], /--progressive is for texts that share nothing/],
      [['sweep', ...m, ...ok, '--progressive', '--pack', '2'], /--progressive trains one text per batch/],
      [['sweep', ...m, ...ok, '--progressive=yes'], /--progressive/],
      [['sweep', '--model', join(dir, 'nope'), ...ok], /--model: no folder/],
      [['report'], /Give the results files: protolab report results\.jsonl/],
      [['report', join(dir, 'a.jsonl'), join(dir, 'b.jsonl')], /report: no file at .*a\.jsonl\./],
      [['report', join(dir, 'missing.jsonl')], /report: no file at .*missing\.jsonl\./],
      [['report', '/dev/zero'], /report: \/dev\/zero is not a regular file \(a device or a pipe\); save it to a file first, then give that\./],
      [['report', dir], /is a folder/],
      [['report', join(ASSETS, 'data/pg19/manifest.jsonl')], /holds no sweep results/],
      [['report', 'x.jsonl', '--json', '--markdown'], /--json or --markdown, not both/],
      [['report', 'x.jsonl', '--plots', dir, '--no-plots'], /--plots DIR or --no-plots, not both/],
    ];
    const results: Awaited<ReturnType<typeof protolabAsync>>[] = [];
    for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map(([args]) => protolabAsync(args)))));
    for (const [k, [args, want]] of cases.entries()) {
      const r = results[k];
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.code, args.join(' ')).not.toBe(-1);
      const line = errorLine(r);
      expect(line, `${args.join(' ')}\n${r.stderr}`).toMatch(want);
      expect(line.split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });

  it('a folder of texts: each file from its start, named by its file name; report prints Table 3 and writes SVG plots', () => {
    const texts = join(dir, 'texts');
    mkdirSync(texts);
    const post = readFileSync(join(ASSETS, 'data/recent/go_blog', readdirSync(join(ASSETS, 'data/recent/go_blog')).sort()[0]), 'utf8');
    writeFileSync(join(texts, 'post.txt'), post);
    writeFileSync(join(texts, 'short.txt'), 'Once upon a time');
    writeFileSync(join(texts, 'notes.md'), 'not a .txt file, not a text of the folder');
    const shortTokens = tokenizer.encode('Once upon a time').length;
    expect(shortTokens).toBeGreaterThanOrEqual(4);
    expect(shortTokens).toBeLessThan(8);
    const out = join(dir, 'folder.jsonl');
    const s = protolab(['sweep', '--model', STORIES, '--source', texts, '--texts', '2', ...SMALL, '--out', out]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toBe(''); // no progress bar when stderr is not a terminal
    expect(s.stdout).toMatch(/post\.txt/);
    const recs = read(out);
    expect(new Set(recs.map((r) => r.text))).toEqual(new Set(['post.txt', 'short.txt']));
    const post0 = tokenizer.encode(post).slice(0, 8);
    recs.filter((r) => r.text === 'post.txt').forEach((r) => expect(r.tokens).toEqual(post0.slice(0, r.length)));
    recs.filter((r) => r.text === 'short.txt').forEach((r) => expect(r.length).toBeLessThanOrEqual(shortTokens));
    expect(recs.every((r) => r.source === texts)).toBe(true);

    const plots = join(dir, 'plots');
    const j = protolab(['report', out, '--json', '--plots', plots]);
    expect(j.code, j.stderr).toBe(0);
    const rep = JSON.parse(j.stdout);
    expect(Object.keys(rep.capacity).sort()).toEqual(['post.txt', 'short.txt']);
    for (const id of ['post.txt', 'short.txt']) {
      const rs = recs.filter((r) => r.text === id).sort((a, b) => a.length - b.length);
      const firstFail = rs.findIndex((r) => !r.passed);
      const passed = firstFail < 0 ? rs : rs.slice(0, firstFail);
      expect(rep.capacity[id]).toBe(passed.length ? passed[passed.length - 1].length : 0);
    }
    const svgs = readdirSync(plots).sort();
    expect(svgs).toEqual(['folder-capacity.svg', 'folder-hlm.svg']);
    for (const f of svgs) {
      const svg = readFileSync(join(plots, f), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toMatch(/text source/); // x axis
      expect(svg).toMatch(f.includes('capacity') ? /tokens \(log scale\)/ : /H_LM .*\(nats\)/); // y axis with unit
      expect(svg).toMatch(/oneshot not shared/); // legend
      expect((svg.match(/<circle /g) ?? []).length).toBe(2 + 1 + 1); // two texts, one mean, one legend dot
    }
    const t = protolab(['report', out, '--no-plots']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/Capacity \(Table 3 style\), stories260k/);
    expect(t.stdout).toMatch(/C_tokens max/);
    expect(t.stdout).toMatch(/H_LM \(nats\)/);
    expect(t.stdout).not.toMatch(/Plots:/);
    const md = protolab(['report', out, '--markdown', '--no-plots']);
    expect(md.stdout).toMatch(/^\| source \| measure \| oneshot not shared \|$/m);

    // Rows are validated and what is left out is counted: a garbage line and a row of length -5.
    const tampered = join(dir, 'tampered.jsonl');
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    const bad = { ...JSON.parse(lines[0]), length: -5 };
    writeFileSync(tampered, [...lines, 'not json at all', JSON.stringify(bad)].join('\n') + '\n');
    const tj = JSON.parse(protolab(['report', tampered, '--json', '--no-plots']).stdout);
    expect(tj.capacity).toEqual(rep.capacity);
    expect(tj.skipped).toBe(2);
    expect(protolab(['report', tampered, '--no-plots']).stdout).toContain(`2 lines of ${tampered} are not a sweep record and were left out.`);
  });

  it('--progressive: warm-started records beside from-scratch ones in one file, and the report pairs them', () => {
    const out = join(dir, 'progressive.jsonl');
    const args = ['sweep', '--model', STORIES, '--source', 'random', '--texts', '1', ...SMALL, '--out', out];
    const scratch = protolab(args);
    expect(scratch.code, scratch.stderr).toBe(0);
    const warm = protolab([...args, '--progressive', '--json']);
    expect(warm.code, warm.stderr).toBe(0);
    expect(JSON.parse(warm.stdout).ran).toBeGreaterThanOrEqual(1); // its own sweep: nothing of the first one reused
    const recs = read(out);
    expect(new Set(recs.map((r) => r.init))).toEqual(new Set(['normal', 'progressive']));
    for (const r of recs) expect(r.vectors === undefined).toBe(r.init === 'normal');
    const md = protolab(['report', out, '--markdown', '--no-plots']).stdout;
    expect(md).toContain('### Progressive against from scratch (issue 19)');
    expect(md).toContain('| source | measure | oneshot not shared, from scratch | oneshot not shared, progressive |');
    const j = JSON.parse(protolab(['report', out, '--json', '--no-plots']).stdout);
    expect(j.progressive).toHaveLength(1);
    expect(j.progressive[0].texts.map((t: { text: string }) => t.text)).toEqual(['random/0/0']);
    expect(protolab(['--help']).stdout).toMatch(/--progressive\s+each length starts from the previous length's best e and m/);
  });

  it('a sweep killed mid-run and started again gives the results of an uninterrupted one', async () => {
    const args = ['sweep', '--model', STORIES, '--source', 'random', '--texts', '2', ...SMALL];
    const whole = join(dir, 'whole.jsonl');
    const a = protolab([...args, '--out', whole]);
    expect(a.code, a.stderr).toBe(0);

    const cut = join(dir, 'cut.jsonl');
    const { signal: killed } = await protolabAsync([...args, '--out', cut], { killAfterFirstLineIn: cut });
    expect(killed).toBe('SIGKILL');
    const before = read(cut).length;
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(read(whole).length);

    const b = protolab([...args, '--out', cut, '--json']);
    expect(b.code, b.stderr).toBe(0);
    const j = JSON.parse(b.stdout);
    expect(j.reused).toBe(before);
    expect(read(cut).map(outcome)).toEqual(read(whole).map(outcome));
    // Both give the same report.
    const ra = JSON.parse(protolab(['report', whole, '--json', '--no-plots']).stdout);
    const rb = JSON.parse(protolab(['report', cut, '--json', '--no-plots']).stdout);
    expect(rb.capacity).toEqual(ra.capacity);
  });

  it('Ctrl-C stops a sweep with exit 130 and says how to continue', async () => {
    const out = join(dir, 'int.jsonl');
    const child = spawn(process.execPath, [BIN, 'sweep', '--model', STORIES, '--source', 'random', '--texts', '2', ...SMALL, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => {
      const poll = setInterval(() => {
        if (existsSync(out) && readFileSync(out, 'utf8').includes('\n')) {
          child.kill('SIGINT');
          clearInterval(poll);
        }
      }, 50);
      child.on('exit', (c) => {
        clearInterval(poll);
        done(c);
      });
    });
    expect(code).toBe(130);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^protolab: interrupted; what finished is in .*int\.jsonl: run the same command again to continue\./);
  });
});
