import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createNodeGpu } from '../gpu/node.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { loadModel, type LoadOptions } from '../model/load.ts';
import { modelShape, type ModelShape } from '../model/shapes.ts';
import { randomModelSource } from '../model/sources/random-source.ts';
import type { ModelSource } from '../model/sources/source.ts';
import type { Model } from '../model/model.ts';
import { nodeFolderSource } from '../model/sources/node-folder.ts';
import { DEFAULT_HUB_ENDPOINT, normalizeEndpoint, validateRepoId, validateRevision } from '../model/sources/hub.ts';
import { findCachedSnapshot, hubCacheDir } from '../model/sources/hf-cache.ts';
import { downloadHubModel } from '../model/sources/hub-download.ts';
import { formatBytes } from '../util/bytes.ts';
import { loadTokenizer, type Tokenizer } from '../model/tokenizer.ts';
import { UsageError } from './errors.ts';
import { isWeightChoice, WEIGHT_CHOICES, type WeightChoice } from '../model/weight-format.ts';
import { NoFormatFitsError, weightsRule } from '../prototokens/memory-plan.ts';

export interface LoadedCliModel {
  gpu: Gpu;
  model: Model;
  tokenizer: Tokenizer;
}

/**
 * --shape NAME: one of the paper's six models' configs (model/shapes.ts) with seeded random weights
 * (sources/random-source.ts), in its real checkpoint's precision unless --weights says otherwise.
 * Only for commands that need no tokenizer (info, bench).
 */
export async function loadCliShape(name: string, progress: (msg: string) => void, opts: { weights?: unknown; n?: number } = {}): Promise<Pick<LoadedCliModel, 'gpu' | 'model'>> {
  const shape = cliShape(name);
  const gpu = await createNodeGpu();
  const weights = parseWeightsFlag(opts.weights);
  const model = await loadWithFormat(gpu, randomModelSource(shape.config, { seed: 0, describe: `shape:${name}` }), weights === undefined ? shape.checkpointFormat : weightsRule(weights, opts.n ?? AUTO_PLAN_TOKENS, gpu), progress);
  return { gpu, model };
}

export function cliShape(name: string): ModelShape {
  try {
    return modelShape(name);
  } catch (e) {
    throw new UsageError(`--shape: ${(e as Error).message}`);
  }
}

async function loadWithFormat(gpu: Gpu, source: ModelSource, format: LoadOptions['format'], progress: (msg: string) => void): Promise<Model> {
  try {
    return await loadModel(gpu, source, { format, onProgress: (p) => progress(`loading ${p.tensor} ${Math.round((100 * p.loadedBytes) / Math.max(1, p.totalBytes))}%`) });
  } catch (e) {
    if (e instanceof NoFormatFitsError) throw new UsageError(`--weights auto: ${e.message}`);
    throw e;
  }
}

/** The tokens `--weights auto` plans a run for, on commands without --n: the paper's ladder reaches 1448; most texts stop well before. */
export const AUTO_PLAN_TOKENS = 1024;

/** --weights: a format, `auto`, or left out (the checkpoint's own precision). */
export function parseWeightsFlag(v: unknown): WeightChoice | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !isWeightChoice(v)) throw new UsageError(`--weights must be one of ${WEIGHT_CHOICES.join(', ')}, got "${String(v)}".`);
  return v;
}

/** How --model names a model: a folder, or a Hub id with its revision (found in the cache or downloaded into it). */
export interface CliModelOptions {
  weights?: unknown;
  n?: number;
  /** --revision: a branch, tag or commit of a Hub id (default main). */
  revision?: unknown;
  /** HF_HUB_CACHE, HF_HOME, HF_ENDPOINT, HF_TOKEN are read from here (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export const MODEL_HELP = 'a model folder (with config.json), or a Hugging Face Hub id such as Qwen/Qwen2.5-0.5B (taken from the Hugging Face cache, or downloaded into it)';

/** `owner/name`, as opposed to a path: one "/", nothing that only a path has. Validated afterwards. */
function looksLikeRepoId(v: string): boolean {
  return /^[^/\\~.][^/\\]*\/[^/\\]+$/.test(v);
}

/**
 * --model M [--revision REV] → the folder to load and the name it goes by. An existing folder wins; else an
 * `owner/name` id is looked up in the Hugging Face cache (no network when its snapshot is complete) and
 * downloaded into it otherwise.
 */
export async function resolveCliModel(arg: string | undefined, progress: (msg: string) => void, opts: Pick<CliModelOptions, 'revision' | 'env'> = {}): Promise<{ dir: string; describe: string }> {
  const env = opts.env ?? process.env;
  if (opts.revision !== undefined && (typeof opts.revision !== 'string' || opts.revision === '')) throw new UsageError('--revision needs a branch, tag or commit, e.g. --revision main.');
  const revision = opts.revision as string | undefined;
  if (!arg) throw new UsageError(`--model is required: ${MODEL_HELP}.`);
  const path = resolve(arg);
  if (existsSync(path) || !looksLikeRepoId(arg)) {
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`--model: no folder at ${path} (a Hub id looks like owner/name, e.g. Qwen/Qwen2.5-0.5B).`);
    if (!existsSync(resolve(path, 'config.json'))) throw new UsageError(`--model: ${path} has no config.json; point at a Hugging Face model folder.`);
    if (revision !== undefined) throw new UsageError(`--revision goes with a Hub id; ${arg} is a folder, which has only the files it holds.`);
    return { dir: path, describe: path };
  }
  try {
    validateRepoId(arg);
  } catch (e) {
    throw new UsageError(`--model: no folder at ${path}, and ${(e as Error).message}.`);
  }
  const rev = revision ?? 'main';
  try {
    validateRevision(rev);
  } catch (e) {
    throw new UsageError(`--revision: ${(e as Error).message}.`);
  }
  const cacheDir = hubCacheDir(env);
  const describe = `${arg}@${rev}`;
  const cached = findCachedSnapshot(cacheDir, arg, rev);
  if (cached) return { dir: cached.dir, describe };
  // huggingface_hub's offline switch: the cache or nothing.
  if (/^(1|on|yes|true)$/i.test(env.HF_HUB_OFFLINE?.trim() ?? '')) {
    throw new UsageError(`--model ${describe} is not complete in the Hugging Face cache (${cacheDir}) and HF_HUB_OFFLINE is set; unset it to download the model.`);
  }
  let endpoint: string;
  try {
    endpoint = normalizeEndpoint(env.HF_ENDPOINT?.trim() || DEFAULT_HUB_ENDPOINT);
  } catch (e) {
    throw new UsageError(`HF_ENDPOINT: ${(e as Error).message}; set it to the Hub's address, e.g. https://huggingface.co.`);
  }
  const fetched = await downloadHubModel(arg, rev, {
    cacheDir,
    endpoint,
    token: env.HF_TOKEN,
    onProgress: (p) => progress(`downloading ${arg} ${p.file} ${Math.floor((100 * p.loaded) / Math.max(1, p.total))}% of ${formatBytes(p.total)}`),
  });
  progress('');
  return { dir: fetched.dir, describe };
}

/**
 * --model → a model on the machine's WebGPU adapter, plus its tokenizer. `weights` picks the storage format
 * (--weights); `auto` plans for a run of `n` tokens.
 */
export async function loadCliModel(arg: string | undefined, progress: (msg: string) => void, opts: CliModelOptions = {}): Promise<LoadedCliModel> {
  const weights = parseWeightsFlag(opts.weights);
  const { dir, describe } = await resolveCliModel(arg, progress, opts);
  const source = nodeFolderSource(dir, { describe });
  const gpu = await createNodeGpu();
  const model = await loadWithFormat(gpu, source, weightsRule(weights, opts.n ?? AUTO_PLAN_TOKENS, gpu), progress);
  const tokenizer = await loadTokenizer(source);
  return { gpu, model, tokenizer };
}
