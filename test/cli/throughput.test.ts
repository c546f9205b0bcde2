import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protolab, errorLine } from '../helpers/cli.ts';
import { STORIES, FIXTURES } from '../helpers/fixtures.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { threeSamples, type TextSample } from '../../src/datasets/samples.ts';

// A 16-token PG-19 prefix: compressed by both methods in fresh processes, decoded, and timed.
describe('protolab compress --method memory, decode and throughput', () => {
  let sample: TextSample;
  const dir = mkdtempSync(join(tmpdir(), 'protolab-tp-'));
  const oneshot = join(dir, 'oneshot.safetensors');
  const memory = join(dir, 'memory.safetensors');
  beforeAll(async () => {
    sample = threeSamples(await loadTokenizer(nodeFolderSource(STORIES)), 16)[0];
  });

  it('compress --method memory learns the text into 4 memory vectors; decode reproduces it from the memory alone', () => {
    const r = protolab(['compress', '--model', STORIES, '--ids', sample.tokens.join(','), '--method', 'memory', '--memory-tokens', '4', '--steps', '2000', '--out', memory, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c).toMatchObject({ method: 'memory', memory_tokens: 4, accuracy: 1, c_tokens: 16, teacher_forced_c_tokens: 16, out: memory, stopped_by: 'solved' });
    const d = protolab(['decode', '--model', STORIES, '--solution', memory, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual({ tokens: sample.tokens, text: sample.text });
  });

  it('throughput of a memory solution: its own decoding reproduces the text, one-shot timed with stand-ins', () => {
    const r = protolab(['throughput', '--model', STORIES, '--solution', memory, '--repeats', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t).toMatchObject({ solutionMethod: 'memory', N: 16, repeats: 3, modelFingerprint: expect.any(String) });
    expect(t.memory).toMatchObject({ vectors: 'solution', reproduced: 16, passes: 16, positions: 19, K: 4 });
    expect(t.oneShot).toMatchObject({ vectors: 'stand-in', reproduced: null, passes: 1, positions: 16 });
    expect(t.memory.runs).toHaveLength(3);
    expect(t.speedup).toBeCloseTo(t.oneShot.tokensPerSecond / t.memory.tokensPerSecond, 6);
  });

  it('throughput of a one-shot solution, as text: both lines, the reproduced count and the speedup', () => {
    const c = protolab(['compress', '--model', STORIES, '--ids', sample.tokens.join(','), '--steps', '2000', '--out', oneshot, '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).accuracy).toBe(1);
    const r = protolab(['throughput', '--model', STORIES, '--solution', oneshot, '--repeats', '2', '--memory-tokens', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/one-shot\s+1 forward pass over 16 positions.*reproduces 16\/16 tokens/);
    expect(r.stdout).toMatch(/autoregressive\s+prefill of 2 \+ 15 cached steps.*stand-in vectors, timing only/);
    expect(r.stdout).toMatch(/speedup\s+one-shot throughput is [\d.]+x the autoregressive one/);
  });

  it('errors: one line, non-zero exit', () => {
    const cases: [string[], RegExp, number][] = [
      [['throughput', '--model', STORIES], /--solution FILE is required/, 2],
      [['throughput', '--model', STORIES, '--solution', join(dir, 'missing.safetensors')], /no file at/, 2],
      [['throughput', '--model', STORIES, '--solution', memory, '--repeats', '0'], /--repeats must be a whole number from 1 to 100, got "0"/, 2],
      [['throughput', '--model', STORIES, '--solution', memory, '--memory-tokens', '2'], /this memory solution has 4 memory vectors/, 2],
      [['throughput', '--model', `${FIXTURES}llama-gqa-untied`, '--solution', memory], /made with .*stories260k/, 1],
      [['throughput', '--model', STORIES, '--solution', memory, '--bogus'], /Unknown option '--bogus'/, 2],
      [['compress', '--model', STORIES, '--text', 'hi there', '--method', 'memory', '--layout', 'e*N'], /--method memory has none/, 2],
      [['compress', '--model', STORIES, '--text', 'hi there', '--memory-tokens', '2'], /--memory-tokens needs --method memory/, 2],
      [['compress', '--model', STORIES, '--text', 'hi there', '--method', 'rnn'], /--method must be one of oneshot, memory, got "rnn"/, 2],
    ];
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a safetensors file at all');
    cases.push([['throughput', '--model', STORIES, '--solution', junk], /not a readable solution file/, 1]);
    for (const [args, want, code] of cases) {
      const r = protolab(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(errorLine(r), args.join(' ')).toMatch(want);
      expect(errorLine(r).split('\n')).toHaveLength(1);
    }
  });
});
