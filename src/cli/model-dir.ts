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

/**
 * --model DIR → a model on the machine's WebGPU adapter, plus its tokenizer. `weights` picks the
 * storage format (--weights); `auto` plans for a run of `n` tokens.
 */
export async function loadCliModel(dir: string | undefined, progress: (msg: string) => void, opts: { weights?: unknown; n?: number } = {}): Promise<LoadedCliModel> {
  const weights = parseWeightsFlag(opts.weights);
  if (!dir) throw new UsageError('--model DIR is required (a Hugging Face model folder with config.json).');
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`--model: no folder at ${path}.`);
  if (!existsSync(resolve(path, 'config.json'))) throw new UsageError(`--model: ${path} has no config.json; point at a Hugging Face model folder.`);
  const source = nodeFolderSource(path);
  const gpu = await createNodeGpu();
  const model = await loadWithFormat(gpu, source, weightsRule(weights, opts.n ?? AUTO_PLAN_TOKENS, gpu), progress);
  const tokenizer = await loadTokenizer(source);
  return { gpu, model, tokenizer };
}
