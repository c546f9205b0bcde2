/**
 * The Hugging Face cache on disk, read and written in the layout huggingface_hub uses (Node only), so a model
 * the Python tools downloaded loads here with no network and one downloaded here is reused by them:
 *
 *   {cache}/models--{owner}--{name}/blobs/{etag}             the file's bytes (etag: git sha1, or sha256 for LFS)
 *   {cache}/models--{owner}--{name}/refs/{revision}          the commit hash a branch or tag pointed at
 *   {cache}/models--{owner}--{name}/snapshots/{commit}/{file} a relative symlink into ../../blobs/{etag}
 *   {cache}/models--{owner}--{name}/.no_exist/{commit}/{file} an empty file: the repo has no such file
 *
 * Checked against huggingface_hub's file_download.py (repo_folder_name, _cache_commit_hash_for_specific_revision,
 * try_to_load_from_cache, _hf_hub_download_to_cache_dir, _create_symlink) and constants.py (HF_HUB_CACHE,
 * HF_HOME, XDG_CACHE_HOME).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkFileName } from './source.ts';
import { INDEX_FILE, SINGLE_FILE } from '../shards.ts';
import { parseJsonText } from '../json-text.ts';

/** Where the cache is: HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const set = (v: string | undefined): string | undefined => (v && v.trim() ? expandHome(v.trim(), home) : undefined);
  // HUGGINGFACE_HUB_CACHE is huggingface_hub's older name for HF_HUB_CACHE; it still honours it.
  const hub = set(env.HF_HUB_CACHE) ?? set(env.HUGGINGFACE_HUB_CACHE);
  if (hub) return resolve(hub);
  const hfHome = set(env.HF_HOME) ?? join(set(env.XDG_CACHE_HOME) ?? join(home, '.cache'), 'huggingface');
  return resolve(hfHome, 'hub');
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** models--{owner}--{name}: the repo id is validated (no "--", no "/"), so the name is one folder. */
export function repoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

const COMMIT = /^[0-9a-f]{40}$/;

export function isCommitHash(revision: string): boolean {
  return COMMIT.test(revision);
}

/** The commit a revision stands for in this cache: itself if it is a commit hash, else refs/{revision}; null when unknown. */
export function cachedCommit(repoDir: string, revision: string): string | null {
  if (isCommitHash(revision)) return revision;
  try {
    const commit = readFileSync(join(repoDir, 'refs', ...revision.split('/')), 'utf8').trim();
    return isCommitHash(commit) ? commit : null;
  } catch {
    return null;
  }
}

/** A regular file at `path`, following symlinks: a snapshot link whose blob is gone does not count. */
export function hasFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The files that must be in a snapshot for the lab to load it: config.json, tokenizer.json and every weight file. */
export function missingModelFiles(snapshot: string): string[] {
  const missing = ['config.json', 'tokenizer.json'].filter((f) => !hasFile(join(snapshot, f)));
  if (hasFile(join(snapshot, INDEX_FILE))) {
    let shards: string[];
    try {
      shards = shardFiles(readFileSync(join(snapshot, INDEX_FILE), 'utf8'), INDEX_FILE);
    } catch {
      return [...missing, INDEX_FILE];
    }
    missing.push(...shards.filter((f) => !hasFile(join(snapshot, f))));
  } else if (!hasFile(join(snapshot, SINGLE_FILE))) {
    missing.push(SINGLE_FILE);
  }
  return missing;
}

/** The shard files model.safetensors.index.json names, each checked like any file name from untrusted JSON. */
export function shardFiles(indexText: string, where: string): string[] {
  const json = parseJsonText(indexText) as { weight_map?: unknown } | null;
  const map = json && typeof json === 'object' ? json.weight_map : undefined;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new Error(`${where} has no weight_map object`);
  const files = new Set<string>();
  for (const f of Object.values(map as Record<string, unknown>)) {
    if (typeof f !== 'string') throw new Error(`${where}: a weight_map entry is not a file name`);
    files.add(checkFileName(f, where));
  }
  if (files.size === 0) throw new Error(`${where}: weight_map is empty`);
  return [...files].sort();
}

export interface CachedSnapshot {
  dir: string;
  commit: string;
}

/**
 * The snapshot `revision` resolves to in the cache, if it holds everything the lab loads; null otherwise (not
 * cached, a branch never fetched, or a partial download).
 */
export function findCachedSnapshot(cacheDir: string, repoId: string, revision: string): CachedSnapshot | null {
  const repoDir = join(cacheDir, repoFolderName(repoId));
  if (!existsSync(repoDir)) return null;
  const commit = cachedCommit(repoDir, revision);
  if (!commit) return null;
  const dir = join(repoDir, 'snapshots', commit);
  return missingModelFiles(dir).length === 0 ? { dir, commit } : null;
}
