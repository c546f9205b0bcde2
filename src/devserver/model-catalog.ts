import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { cachedCommit } from '../model/sources/hf-cache.ts';
import type { ModelRoot } from './model-roots.ts';
import { isInside, isSafeSegment } from './safe-name.ts';

export interface ModelFolder {
  name: string;
  /** Real path (symlinks resolved); every served file must resolve inside it. */
  dir: string;
}

export interface ModelFile {
  /** Path relative to the model folder, `/`-separated, as it appears in URLs. */
  path: string;
  realPath: string;
  size: number;
}

/** Deep enough for Hugging Face layouts such as `onnx/model.onnx`, shallow enough to stay cheap. */
const MAX_DEPTH = 4;

/** Reserved so that `/models/index.json` can never be shadowed by a folder of that name. */
const RESERVED_NAMES = new Set(['index.json']);

async function realDir(path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    return (await stat(real)).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

async function hasConfig(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'config.json'))).isFile();
  } catch {
    return false;
  }
}

/** A Hugging Face cache repo folder, `models--{owner}--{name}`, as huggingface_hub names it. */
const CACHE_REPO = /^models--(.+)$/;

/**
 * The snapshot a cache repo folder's refs/main points at, as a model named `{owner}--{name}`; null when the
 * repo has no main ref, or the snapshot is not real, inside `within`, and a model folder.
 */
async function cacheRepoModel(repoDir: string, within: string, prefix: string): Promise<ModelFolder | null> {
  const m = CACHE_REPO.exec(basename(repoDir));
  if (!m) return null;
  const commit = cachedCommit(repoDir, 'main');
  const dir = commit && (await realDir(join(repoDir, 'snapshots', commit)));
  if (!dir || !isInside(dir, within, sep) || !(await hasConfig(dir))) return null;
  return { name: prefix + m[1], dir };
}

async function foldersIn(root: ModelRoot): Promise<ModelFolder[]> {
  const rootReal = await realDir(root.dir);
  if (!rootReal) return [];
  if (await hasConfig(rootReal)) {
    // A cache snapshot goes by its repo's name rather than its commit hash.
    const repo = CACHE_REPO.exec(basename(dirname(dirname(rootReal))));
    const name = repo && basename(dirname(rootReal)) === 'snapshots' ? repo[1] : basename(root.dir);
    return [{ name: root.prefix + name, dir: rootReal }];
  }
  const own = await cacheRepoModel(rootReal, rootReal, root.prefix);
  if (own) return [own];
  const found: ModelFolder[] = [];
  const entries = await readdir(rootReal, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!isSafeSegment(entry.name)) continue;
    const dir = await realDir(join(rootReal, entry.name));
    // A symlinked model folder may only point somewhere else inside the same root.
    if (!dir || !isInside(dir, rootReal, sep) || dir === rootReal) continue;
    if (await hasConfig(dir)) found.push({ name: root.prefix + entry.name, dir });
    else {
      // A Hugging Face cache (HF_HUB_CACHE) holds models--{owner}--{name} folders: each serves its main snapshot.
      const cached = await cacheRepoModel(dir, rootReal, root.prefix);
      if (cached) found.push(cached);
    }
  }
  return found;
}

/**
 * Every model folder reachable from `roots`, first root winning a name clash. Re-read on every
 * call: the folders are small and a dev server should see models added while it runs.
 */
export async function findModels(roots: readonly ModelRoot[]): Promise<ModelFolder[]> {
  const byName = new Map<string, ModelFolder>();
  for (const root of roots) {
    for (const folder of await foldersIn(root)) {
      if (!isSafeSegment(folder.name) || RESERVED_NAMES.has(folder.name) || byName.has(folder.name)) continue;
      byName.set(folder.name, folder);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The blobs folder of a Hugging Face cache snapshot (`…/models--{owner}--{name}/snapshots/{commit}`, its files
 * being relative links into `../../blobs`): that repo's own `blobs`, when it is a real folder; null for any
 * other model folder.
 */
async function snapshotBlobs(dir: string): Promise<string | null> {
  const snapshots = dirname(dir);
  const repo = dirname(snapshots);
  if (basename(snapshots) !== 'snapshots' || !CACHE_REPO.test(basename(repo))) return null;
  const blobs = join(repo, 'blobs');
  try {
    return (await realpath(blobs)) === blobs && (await stat(blobs)).isDirectory() ? blobs : null;
  } catch {
    return null;
  }
}

/**
 * The files a model folder serves: regular files with safe names, at most MAX_DEPTH deep, and
 * symlinks only when their target is a regular file inside the folder or, for a Hugging Face
 * cache snapshot, a file directly in the `blobs` folder of the snapshot's own cache repo (never
 * another repo's blobs, never anywhere else). Subfolder symlinks are not followed, which also
 * rules out loops.
 */
export async function listModelFiles(folder: ModelFolder): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
  const blobs = await snapshotBlobs(folder.dir);
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!isSafeSegment(entry.name)) continue;
      const path = join(dir, entry.name);
      const rel = prefix + entry.name;
      if (entry.isDirectory()) {
        if (depth + 1 < MAX_DEPTH) await walk(path, rel + '/', depth + 1);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      try {
        const real = entry.isSymbolicLink() ? await realpath(path) : path;
        const allowed = isInside(real, folder.dir, sep) || (blobs !== null && dirname(real) === blobs);
        if (!allowed) continue;
        const info = entry.isSymbolicLink() ? await stat(real) : await lstat(real);
        if (info.isFile()) files.push({ path: rel, realPath: real, size: info.size });
      } catch {
        // Dangling links and files removed mid-scan are simply not served.
      }
    }
  };
  await walk(folder.dir, '', 0);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
