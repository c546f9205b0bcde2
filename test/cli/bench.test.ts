import { describe, it, expect } from 'vitest';
import { protolab, errorLine } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';

describe('protolab bench', () => {
  it('--json prints ms per optimisation step and the adapter', () => {
    const r = protolab(['bench', '--model', STORIES, '--n', '16', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ model: expect.any(String), n: 16 });
    expect(out.ms_per_step).toBeGreaterThan(0);
    expect(out.steps).toBeGreaterThanOrEqual(5);
    expect(out.dispatches_per_step).toBeGreaterThan(0);
    expect(out.adapter.platform).toBe('node');
  });

  it('refuses a missing or bad --n and more positions than the model has, with one line', () => {
    for (const [args, re] of [
      [['bench', '--model', STORIES], /--n N is required/],
      [['bench', '--model', STORIES, '--n', 'x'], /--n must be a positive whole number/],
      [['bench', '--model', STORIES, '--n', '513'], /more than this model's 512 positions/],
    ] as const) {
      const r = protolab([...args]);
      expect(r.code).not.toBe(0);
      expect(errorLine(r)).toMatch(re);
    }
  });
});
