/**
 * --weights on the command line: the memory figures of `info` (loaded and planned), a run in q8
 * whose solution records q8 and says so when decoded against another format, and bad values.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protolab, errorLine } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';

const json = (args: string[]) => {
  const r = protolab(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

describe('protolab --weights', () => {
  it('info --weights W --n N --json: params, the format, and weight, activation and total bytes; gpu_memory is what the load took', () => {
    const f32 = json(['info', '--model', STORIES, '--json']);
    expect(f32).toMatchObject({ params: 260032, weight_format: 'f32', weight_bytes: 1040128, n: 128, loaded: true });
    expect(f32.gpu_memory).toBe(f32.weight_bytes);
    expect(f32.total_bytes).toBe(Number(f32.weight_bytes) + Number(f32.activation_bytes));
    const q4 = json(['info', '--model', STORIES, '--weights', 'q4', '--n', '256', '--json']);
    expect(q4).toMatchObject({ weight_format: 'q4', n: 256 });
    expect(q4.gpu_memory).toBe(q4.weight_bytes);
    expect(Number(q4.weight_bytes)).toBeLessThan(Number(f32.weight_bytes) / 5);
    expect(Number(q4.activation_bytes)).toBeGreaterThan(Number(f32.activation_bytes));
  });

  it('info --shape plans the paper models without loading them; auto picks what fits the budget', () => {
    const r = json(['info', '--shape', 'llama-3.1-8b', '--weights', 'q4', '--n', '512', '--json']);
    expect(r).toMatchObject({ model: 'shape:llama-3.1-8b', weight_format: 'q4', loaded: false, hidden: 4096, layers: 32 });
    expect(Number(r.params)).toBeGreaterThan(8e9);
    expect(Number(r.total_bytes)).toBeLessThanOrEqual(7 * 2 ** 30);
    // The real checkpoint's precision by default.
    expect(json(['info', '--shape', 'pythia-160m', '--json']).weight_format).toBe('f16');
    expect(json(['info', '--shape', 'llama-3.2-1b', '--json']).weight_format).toBe('bf16');
    // No budget is set: auto plans for the assumed 8 GiB GPU.
    expect(json(['info', '--shape', 'llama-3.1-8b', '--weights', 'auto', '--n', '512', '--json']).weight_format).toBe('q4');
    expect(json(['info', '--shape', 'pythia-160m', '--weights', 'auto', '--json']).weight_format).toBe('f32');
  });

  it('compress --weights q8 records q8 in the solution; decoding with f32 weights says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'protolab-weights-'));
    const out = join(dir, 'q8.safetensors');
    const c = json(['compress', '--model', STORIES, '--weights', 'q8', '--text', 'Once upon a time', '--steps', '2000', '--seed', '0', '--out', out, '--json']);
    expect(c.accuracy).toBe(1);
    const same = json(['decode', '--model', STORIES, '--weights', 'q8', '--solution', out, '--json']);
    expect(same.weight_format_note).toBeUndefined();
    const other = json(['decode', '--model', STORIES, '--solution', out, '--json']);
    expect(other.weight_format_note).toMatch(/trained against q8 weights; the loaded model holds them as f32/);
  });

  it('a bad --weights or --shape is one line naming the choices', () => {
    for (const [args, want] of [
      [['info', '--model', STORIES, '--weights', 'int3'], /--weights must be one of f32, f16, bf16, q8, q4, auto, got "int3"/],
      [['info', '--shape', 'gpt-5'], /--shape: There is no model shape "gpt-5"; the shapes are pythia-160m, pythia-410m, pythia-1\.4b, llama-3\.2-1b, llama-3\.2-3b, llama-3\.1-8b/],
      [['info', '--shape', 'pythia-160m', '--model', STORIES], /Give --model DIR or --shape NAME, not both/],
    ] as [string[], RegExp][]) {
      const r = protolab(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(errorLine(r).split('\n')).toHaveLength(1);
      expect(errorLine(r)).toMatch(want);
    }
  });
});
