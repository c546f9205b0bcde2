import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { protolab, errorLine } from '../helpers/cli.ts';
import { FIXTURES, STORIES } from '../helpers/fixtures.ts';

const reference = JSON.parse(readFileSync(`${STORIES}/reference_outputs.json`, 'utf8')) as { cases: { prompt: string; input_ids: number[]; next_token_nll: number[] }[] };

describe('protolab info and eval', () => {
  it('info --json describes stories260k and the adapter', () => {
    const r = protolab(['info', '--model', STORIES, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ architecture: 'llama', parameters: 260032, hidden: 64, layers: 5, heads: 8, kv_heads: 4, vocab: 512 });
    expect(info.adapter.platform).toBe('node');
  });

  it('info names the family and what sets it apart (gemma3-tiny: sandwich norms, embedding scale, local windows)', () => {
    const info = JSON.parse(protolab(['info', '--model', `${FIXTURES}gemma3-tiny`, '--json']).stdout);
    expect(info).toMatchObject({ family: 'gemma3_text', architecture: 'gemma3', sliding_window: 8, sliding_layers: 4, local_rope_theta: 10000, sandwich_norms: true, gated_mlp: true, embed_scale: 8 });
    const text = protolab(['info', '--model', `${FIXTURES}gemma3-tiny`]).stdout;
    expect(text).toMatch(/^architecture {2}gemma3 \(gemma3_text\)/m);
    expect(text).toMatch(/^attention {5}a window of 8 on 4 of 6 layers \(rotary base 10000 there\)$/m);
  });

  it('eval --json prints exactly one JSON object with per-position NLL, H_LM and argmax', () => {
    const c = reference.cases[1];
    const r = protolab(['eval', '--model', STORIES, '--ids', c.input_ids.join(','), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['argmax', 'h_lm', 'model', 'nll', 'tokens']);
    expect(out.tokens).toEqual(c.input_ids);
    out.nll.forEach((x: number, i: number) => expect(x).toBeCloseTo(c.next_token_nll[i], 4));
    expect(out.h_lm).toBeCloseTo(c.next_token_nll.reduce((a, b) => a + b, 0), 4);
    expect(out.argmax).toHaveLength(c.input_ids.length);
  });

  it('eval --text tokenizes without special tokens, --bos prepends BOS', () => {
    const plain = JSON.parse(protolab(['eval', '--model', STORIES, '--text', 'Once upon a time', '--json']).stdout);
    const bos = JSON.parse(protolab(['eval', '--model', STORIES, '--text', 'Once upon a time', '--bos', '--json']).stdout);
    expect(plain.tokens).toEqual([403, 407, 261, 378]);
    expect(bos.tokens).toEqual([1, 403, 407, 261, 378]);
  });

  it('bad input exits non-zero with one line that says what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'protolab-bad-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 8 }));
    const cases: [string[], RegExp][] = [
      [['eval', '--model', '/no/such/folder', '--text', 'hi'], /no folder/],
      [['eval', '--model', dir, '--text', 'hi'], /model_type/],
      [['eval', '--model', STORIES, '--ids', '1,x,3'], /not a token id/],
      [['eval', '--model', STORIES, '--ids', '1,99999'], /outside the model's vocabulary/],
      [['eval', '--model', STORIES], /exactly one of --text/],
      [['eval', '--model', STORIES, '--text', '   '], /empty/],
      [['eval', '--model', STORIES, '--text', 'hi', '--bogus'], /bogus/],
      [['frobnicate'], /Unknown command/],
    ];
    for (const [args, want] of cases) {
      const r = protolab(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      const line = errorLine(r);
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toMatch(want);
    }
  });
});
