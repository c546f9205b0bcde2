import { describe, expect, it } from 'vitest';
import { LAYOUT_NAMES, maxTokensFor } from '../../src/shared/layouts.ts';
import { planLayout } from '../../src/shared/layouts.ts';
import { solutionFileName } from '../../src/worker/run.ts';
import { sourceLabel } from '../../src/worker/model-source.ts';

describe('protocol helpers', () => {
  it('maxTokensFor is the longest text whose layout fits the model', () => {
    for (const layout of LAYOUT_NAMES) {
      for (const first of ['e', 'first-m'] as const) {
        const n = maxTokensFor(512, layout, first);
        expect(planLayout(layout, n, first).length).toBeLessThanOrEqual(512);
        expect(planLayout(layout, n + 1, first).length).toBeGreaterThan(512);
      }
    }
  });

  it('names solution files after the model, the length and the seed', () => {
    expect(solutionFileName('stories260k', 16, 0)).toBe('stories260k-16tok-seed0.safetensors');
    expect(solutionFileName('EleutherAI/pythia-160m@main', 32, 7)).toBe('pythia-160m-32tok-seed7.safetensors');
    expect(solutionFileName('../../etc/passwd', 1, 1)).toBe('passwd-1tok-seed1.safetensors');
    expect(solutionFileName('my model (copy)', 4, 2)).toBe('my-model-copy-4tok-seed2.safetensors');
  });

  it('labels model sources', () => {
    expect(sourceLabel({ kind: 'url', url: 'http://127.0.0.1:4173/models/stories260k/' })).toBe('stories260k');
    expect(sourceLabel({ kind: 'hub', repo: 'a/b', revision: '' })).toBe('a/b@main');
    expect(sourceLabel({ kind: 'files', files: [] })).toBe('picked files');
  });
});
