import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root (this file is src/util/shared-dir.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where machines of this project keep the shared folder when a checkout is not beside it. */
const WELL_KNOWN = '/work/shared';

/**
 * The read-only shared folder (models, fixtures, texts). It normally sits beside the checkout
 * (`../shared`), but a clone made elsewhere (a CI workspace, /tmp) must still find it, so:
 * PROTOLAB_SHARED when set, else ../shared when it exists, else /work/shared when it exists,
 * else ../shared (so error messages name the expected place).
 */
export function sharedDir(repoRoot: string = REPO_ROOT, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  if (env.PROTOLAB_SHARED) return resolve(env.PROTOLAB_SHARED);
  const sibling = resolve(repoRoot, '..', 'shared');
  if (exists(sibling)) return sibling;
  if (exists(WELL_KNOWN)) return WELL_KNOWN;
  return sibling;
}
