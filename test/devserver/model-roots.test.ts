import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PREFIX, modelRoots } from '../../src/devserver/model-roots.ts';

describe('modelRoots', () => {
  const repo = resolve('/srv/lab/main');

  it('looks in ../shared/models, then ../shared/fixtures under a prefix', () => {
    expect(modelRoots(repo, {}, '/cwd')).toEqual([
      { dir: resolve('/srv/lab/shared/models'), prefix: '' },
      { dir: resolve('/srv/lab/shared/fixtures'), prefix: FIXTURE_PREFIX },
    ]);
  });

  it('puts PROTOLAB_MODELS entries first, resolving relative ones against the working directory', () => {
    const env = { PROTOLAB_MODELS: ['/data/models', '', ' rel/one '].join(delimiter) };
    const roots = modelRoots(repo, env, '/cwd');
    expect(roots.slice(0, 2)).toEqual([
      { dir: resolve('/data/models'), prefix: '' },
      { dir: resolve('/cwd/rel/one'), prefix: '' },
    ]);
    expect(roots).toHaveLength(4);
  });
});
