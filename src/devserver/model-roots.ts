import { delimiter, resolve } from 'node:path';
import { assetsDir } from '../util/assets-dir.ts';

/**
 * A folder the server looks in. It is either a model folder itself (it holds config.json) or a
 * folder of model folders. `prefix` is prepended to every model name found there, so folders
 * that reuse a name (the fixtures hold a copy of stories260k) stay addressable.
 */
export interface ModelRoot {
  dir: string;
  prefix: string;
}

export const FIXTURE_PREFIX = 'fixtures-';

/**
 * Where the lab looks for models, in priority order: PROTOLAB_MODELS entries first (the user's
 * explicit choice wins a name clash), then the shared folder's models, then its fixtures as (see
 * assetsDir for where that folder is looked for)
 * `fixtures-<name>`. Roots that do not exist are kept; the catalog skips them, so a folder
 * created while the server runs is picked up without a restart.
 */
export function modelRoots(repoRoot: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ModelRoot[] {
  const fromEnv = (env.PROTOLAB_MODELS ?? '')
    .split(delimiter)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => ({ dir: resolve(cwd, entry), prefix: '' }));
  const assets = assetsDir(repoRoot, env);
  return [...fromEnv, { dir: resolve(assets, 'models'), prefix: '' }, { dir: resolve(assets, 'fixtures'), prefix: FIXTURE_PREFIX }];
}
