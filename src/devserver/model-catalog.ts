import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
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

async function foldersIn(root: ModelRoot): Promise<ModelFolder[]> {
  const rootReal = await realDir(root.dir);
  if (!rootReal) return [];
  if (await hasConfig(rootReal)) return [{ name: root.prefix + basename(root.dir), dir: rootReal }];
  const found: ModelFolder[] = [];
  const entries = await readdir(rootReal, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!isSafeSegment(entry.name)) continue;
    const dir = await realDir(join(rootReal, entry.name));
    // A symlinked model folder may only point somewhere else inside the same root.
    if (!dir || !isInside(dir, rootReal, sep) || dir === rootReal) continue;
    if (await hasConfig(dir)) found.push({ name: root.prefix + entry.name, dir });
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
 * The files a model folder serves: regular files with safe names, at most MAX_DEPTH deep, and
 * symlinks only when their target is a regular file inside the folder. Subfolder symlinks are
 * not followed, which also rules out loops.
 */
export async function listModelFiles(folder: ModelFolder): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
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
        if (!isInside(real, folder.dir, sep)) continue;
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
