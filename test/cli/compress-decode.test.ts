import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protolab, errorLine } from '../helpers/cli.ts';
import { STORIES, FIXTURES } from '../helpers/fixtures.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { threeSamples, type TextSample } from '../../src/datasets/samples.ts';

// Issue 3's acceptance: 16-token prefixes of a PG-19 book, a random GloVe-word text and a recent post
// compress to accuracy 1.0 within 2000 steps; the saved solution decodes exactly in a fresh process.
describe('protolab compress and decode on the shared texts', () => {
  let samples: TextSample[];
  const dir = mkdtempSync(join(tmpdir(), 'protolab-sol-'));
  beforeAll(async () => {
    samples = threeSamples(await loadTokenizer(nodeFolderSource(STORIES)), 16);
  });

  it.each([0, 1, 2])('text %i: compress to 100 %, save, decode in a fresh process', (k) => {
    const s = samples[k];
    const out = join(dir, `${k}.safetensors`);
    const r = protolab(['compress', '--model', STORIES, '--ids', s.tokens.join(','), '--steps', '2000', '--seed', '0', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(Object.keys(c)).toEqual(expect.arrayContaining(['model', 'tokens', 'accuracy', 'c_tokens', 'loss', 'steps', 'seconds', 'decoded', 'out']));
    expect(c.accuracy, `${s.source}: ${JSON.stringify(s.text)}`).toBe(1);
    expect(c.c_tokens).toBe(16);
    expect(c.steps).toBeLessThanOrEqual(2000);
    expect(c.out).toBe(out);

    const d = protolab(['decode', '--model', STORIES, '--solution', out, '--json']);
    expect(d.code, d.stderr).toBe(0);
    const decoded = JSON.parse(d.stdout);
    expect(decoded.tokens).toEqual(s.tokens);
    expect(decoded.text).toBe(s.text);
    // Two child processes, one of up to 2000 steps: minutes when the 2 cores are shared with other jobs.
  }, 300_000);

  it('refuses to decode a solution with another model', () => {
    const r = protolab(['decode', '--model', `${FIXTURES}llama-gqa-untied`, '--solution', join(dir, '0.safetensors')]);
    expect(r.code).not.toBe(0);
    expect(errorLine(r)).toMatch(/made with .*stories260k/);
  });

  it('refuses bad settings before loading anything', () => {
    for (const [flag, value, want] of [
      ['--steps', '0', /--steps/],
      ['--lr', '-1', /--lr/],
      ['--layout', 'zigzag', /--layout must be one of/],
      ['--seed', '1.5', /--seed/],
    ] as const) {
      const r = protolab(['compress', '--model', STORIES, '--text', 'hello there', flag, value]);
      expect(r.code).not.toBe(0);
      expect(errorLine(r)).toMatch(want);
    }
  });
});
