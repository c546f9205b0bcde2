import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PREFIX, modelRoots } from '../../src/devserver/model-roots.ts';
import { sharedDir } from '../../src/util/shared-dir.ts';

describe('modelRoots', () => {
  const repo = resolve('/srv/lab/main');

  it('looks in the shared models, then the shared fixtures under a prefix', () => {
    expect(modelRoots(repo, { PROTOLAB_SHARED: '/srv/lab/shared' }, '/cwd')).toEqual([
      { dir: resolve('/srv/lab/shared/models'), prefix: '' },
      { dir: resolve('/srv/lab/shared/fixtures'), prefix: FIXTURE_PREFIX },
    ]);
  });

  it('puts PROTOLAB_MODELS entries first, resolving relative ones against the working directory', () => {
    const env = { PROTOLAB_SHARED: '/srv/lab/shared', PROTOLAB_MODELS: ['/data/models', '', ' rel/one '].join(delimiter) };
    const roots = modelRoots(repo, env, '/cwd');
    expect(roots.slice(0, 2)).toEqual([
      { dir: resolve('/data/models'), prefix: '' },
      { dir: resolve('/cwd/rel/one'), prefix: '' },
    ]);
    expect(roots).toHaveLength(4);
  });
});

describe('sharedDir', () => {
  const repo = resolve('/srv/lab/main');
  const only = (...present: string[]) => (p: string) => present.includes(p);

  it('is ../shared beside the checkout when it exists', () => {
    expect(sharedDir(repo, {}, only(resolve('/srv/lab/shared'), '/work/shared'))).toBe(resolve('/srv/lab/shared'));
  });

  it('falls back to /work/shared for a clone made elsewhere', () => {
    expect(sharedDir(repo, {}, only('/work/shared'))).toBe('/work/shared');
  });

  it('names ../shared when neither exists, and PROTOLAB_SHARED always wins', () => {
    expect(sharedDir(repo, {}, only())).toBe(resolve('/srv/lab/shared'));
    expect(sharedDir(repo, { PROTOLAB_SHARED: '/data/shared' }, only('/work/shared'))).toBe(resolve('/data/shared'));
  });
});
