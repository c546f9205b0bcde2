import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, importClosure, sourceFiles } from '../helpers/imports.ts';

/**
 * The architecture, checked on what each module loads at run time (its whole value-import
 * closure, not the folder names of its direct imports): the UI never reaches the engine, the
 * worker never reaches Node, src/shared stays pure, and the analysis half of geometry/ and
 * experiments/ runs without a GPU (their GPU jobs live in jobs/).
 */
const rel = (f: string) => relative(ROOT, f).split('\\').join('/');
const ENGINE = /^src\/(gpu|ops|reference|model|prototokens|memory|encoder)\/|^src\/[a-z]+\/jobs\/|^src\/worker\/(?!protocol\.ts$|client\.ts$)/u;

describe('UI / engine boundary', () => {
  const ui = [...sourceFiles(join(ROOT, 'src', 'ui')), join(ROOT, 'src', 'main.tsx')];

  it('finds the UI files', () => {
    expect(ui.length).toBeGreaterThan(10);
  });

  it.each(ui.map((f) => [rel(f), f]))('%s loads no engine module and nothing of Node, however indirectly', (_name, file) => {
    const { files, packages } = importClosure(file);
    expect(files.filter((f) => ENGINE.test(f))).toEqual([]);
    expect(packages.filter((p) => p.startsWith('node:') || p === 'webgpu')).toEqual([]);
  });

  it('the engine worker never reaches Node-only modules', () => {
    const { files, packages } = importClosure(join(ROOT, 'src', 'worker', 'engine-worker.ts'));
    expect(files.some((f) => f.startsWith('src/gpu/'))).toBe(true); // it is the engine
    expect(files.filter((f) => /node-folder|gpu\/node|\/node\//u.test(f))).toEqual([]);
    expect(packages.filter((p) => p.startsWith('node:') || p === 'webgpu')).toEqual([]);
  });

  it.each(sourceFiles(join(ROOT, 'src', 'shared')).map((f) => [rel(f), f]))('%s is pure: it loads only src/shared and src/util, no package', (_name, file) => {
    const { files, packages } = importClosure(file);
    expect(files.filter((f) => !/^src\/(shared|util)\//u.test(f))).toEqual([]);
    expect(packages).toEqual([]);
  });

  const analysis = ['geometry', 'experiments'].flatMap((d) => sourceFiles(join(ROOT, 'src', d)).filter((f) => !/[\\/](jobs|node)[\\/]/u.test(rel(f).slice(4))));
  it.each(analysis.map((f) => [rel(f), f]))('%s (analysis) runs without a GPU', (_name, file) => {
    expect(importClosure(file).files.filter((f) => f.startsWith('src/gpu/'))).toEqual([]);
  });
});
