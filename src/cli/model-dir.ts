import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createNodeGpu } from '../gpu/node.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { loadModel } from '../model/load.ts';
import type { Model } from '../model/model.ts';
import { nodeFolderSource } from '../model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../model/tokenizer.ts';
import { UsageError } from './errors.ts';

export interface LoadedCliModel {
  gpu: Gpu;
  model: Model;
  tokenizer: Tokenizer;
}

/** --model DIR → a model on the machine's WebGPU adapter, plus its tokenizer. */
export async function loadCliModel(dir: string | undefined, progress: (msg: string) => void): Promise<LoadedCliModel> {
  if (!dir) throw new UsageError('--model DIR is required (a Hugging Face model folder with config.json).');
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`--model: no folder at ${path}.`);
  if (!existsSync(resolve(path, 'config.json'))) throw new UsageError(`--model: ${path} has no config.json; point at a Hugging Face model folder.`);
  const source = nodeFolderSource(path);
  const gpu = await createNodeGpu();
  const model = await loadModel(gpu, source, (p) => progress(`loading ${p.tensor} ${Math.round((100 * p.loadedBytes) / Math.max(1, p.totalBytes))}%`));
  const tokenizer = await loadTokenizer(source);
  return { gpu, model, tokenizer };
}
