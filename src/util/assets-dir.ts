import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The repository root (this file is src/util/assets-dir.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The models, golden fixtures and texts the lab and its tests read: the repository's own copy in
 * assets/ (models/, fixtures/, data/), so a clone works wherever it is placed. PROTOLAB_ASSETS
 * names another folder of the same layout instead (relative paths from the current directory).
 * Nothing outside these two is ever looked at: a machine-specific fallback would hide a clone
 * that is missing its assets.
 */
export function assetsDir(repoRoot: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.PROTOLAB_ASSETS?.trim();
  return chosen ? resolve(chosen) : join(repoRoot, 'assets');
}
