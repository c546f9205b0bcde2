import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PREFIX, modelRoots } from '../../src/devserver/model-roots.ts';
import { assetsDir } from '../../src/util/assets-dir.ts';

describe('modelRoots', () => {
  const repo = resolve('/srv/lab/main');

  it("looks in the repository's assets: its models, then its golden fixtures under a prefix", () => {
    expect(modelRoots(repo, {}, '/cwd')).toEqual([
      { dir: resolve('/srv/lab/main/assets/models'), prefix: '' },
      { dir: resolve('/srv/lab/main/assets/fixtures'), prefix: FIXTURE_PREFIX },
    ]);
  });

  it('looks in PROTOLAB_ASSETS instead when it is set', () => {
    expect(modelRoots(repo, { PROTOLAB_ASSETS: '/data/lab-assets' }, '/cwd')).toEqual([
      { dir: resolve('/data/lab-assets/models'), prefix: '' },
      { dir: resolve('/data/lab-assets/fixtures'), prefix: FIXTURE_PREFIX },
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

describe('assetsDir', () => {
  const repo = resolve('/srv/lab/main');

  it("is the checkout's own assets/ folder, wherever the checkout is", () => {
    expect(assetsDir(repo, {})).toBe(resolve('/srv/lab/main/assets'));
    expect(assetsDir(resolve('/tmp/clone'), {})).toBe(resolve('/tmp/clone/assets'));
  });

  it('is PROTOLAB_ASSETS when set (relative to the working directory); a blank value is unset', () => {
    expect(assetsDir(repo, { PROTOLAB_ASSETS: '/data/lab-assets' })).toBe(resolve('/data/lab-assets'));
    expect(assetsDir(repo, { PROTOLAB_ASSETS: 'mine' })).toBe(resolve(process.cwd(), 'mine'));
    expect(assetsDir(repo, { PROTOLAB_ASSETS: '  ' })).toBe(resolve('/srv/lab/main/assets'));
  });

  it('never looks beside the checkout: an old ../shared variable is not read', () => {
    expect(assetsDir(repo, { PROTOLAB_SHARED: '/srv/lab/shared' })).toBe(resolve('/srv/lab/main/assets'));
  });
});
