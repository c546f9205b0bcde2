/**
 * The source tree a run measures and the commit its results are filed under: this checkout (its
 * commit marked "+dirty" when the working tree differs from HEAD), or with --head a throwaway
 * `git archive` snapshot of HEAD, so a half-edited file in a shared checkout neither breaks nor
 * colours the numbers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's root (the results are always written here, whichever tree is measured). */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
}

/** Short HEAD, "+dirty" when anything but bench/results/ differs from it (untracked files count: they can change what runs). */
export function commitId(): string {
  const head = git('rev-parse', '--short', 'HEAD');
  const changes = git('status', '--porcelain')
    .split('\n')
    .filter((l) => l.trim() && !l.slice(3).startsWith('bench/results/'));
  return changes.length ? `${head}+dirty` : head;
}

/** The tree a run measures: this checkout, or a snapshot of HEAD. */
export interface Tree {
  root: string;
  /** Vite's dependency cache (kept out of the shared node_modules for snapshots). */
  cacheDir?: string;
  /** Extra folders the dev server may serve from (node_modules behind the snapshot's link). */
  allow?: string[];
}

/**
 * HEAD, exported into `work`/repo (with its own assets/: models, fixtures, texts) and
 * repo/node_modules linking to this checkout's.
 */
export function snapshotHead(work: string): Tree {
  const root = join(work, 'repo');
  mkdirSync(root);
  execFileSync('sh', ['-c', 'git archive --format=tar HEAD | tar -x -C "$1"', 'sh', root], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(root, 'bench', 'node-bench.ts')) || !existsSync(join(root, 'bench', 'browser', 'main.ts'))) {
    throw new Error('--head: HEAD has no bench/node-bench.ts or bench/browser/main.ts; commit the benchmark first');
  }
  const modules = realpathSync(join(REPO, 'node_modules'));
  if (!existsSync(join(root, 'node_modules'))) symlinkSync(modules, join(root, 'node_modules'));
  return { root, cacheDir: join(work, 'vite-cache'), allow: [root, modules] };
}
