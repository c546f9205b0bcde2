import type { Gpu } from '../gpu/gpu.ts';
import { parseConfig, type ModelSpec } from './config.ts';
import type { WeightFormat } from './weight-format.ts';
import { openWeights } from './shards.ts';
import type { ModelSource } from './sources/source.ts';
import { uploadWeights, type LoadProgress } from './weights.ts';
import { Model } from './model.ts';
import { parseJsonText } from './json-text.ts';

/**
 * config.json → spec, checkpoint → GPU. The fingerprint identifies the exact model a solution
 * was made with: SHA-256 of config.json, every tensor's name, dtype, shape and byte size, and a
 * hash of a fixed sample of the weight values taken while they stream to the GPU.
 */
export interface LoadOptions {
  /**
   * How to store the weight matrices: a format, or a rule that picks one from the parsed config
   * (prototokens/memory-plan.ts weightsRule resolves `auto`). Default: the checkpoint's own precision.
   */
  format?: WeightFormat | ((spec: ModelSpec) => WeightFormat | undefined);
  onProgress?: (p: LoadProgress) => void;
}

export async function loadModel(gpu: Gpu, source: ModelSource, opts: LoadOptions = {}): Promise<Model> {
  if (!(await source.has('config.json'))) throw new Error(`${source.describe} has no config.json: point at a Hugging Face model folder.`);
  const configText = await source.text('config.json');
  let json: unknown;
  try {
    json = parseJsonText(configText);
  } catch (e) {
    throw new Error(`${source.describe}/config.json is not valid JSON (${(e as Error).message}).`);
  }
  const spec = parseConfig(json);
  const index = await openWeights(source);
  const format = typeof opts.format === 'function' ? opts.format(spec) : opts.format;
  const weights = await uploadWeights(gpu, spec, index, { format, onProgress: opts.onProgress });
  const layout = [...index.tensors.values()].map((t) => `${t.name}:${t.dtype}:${t.shape.join('x')}:${t.end - t.begin}`).sort();
  const fingerprint = await sha256Hex(configText + '\n' + layout.join('\n') + '\nvalues:' + weights.valueHash);
  return new Model(gpu, spec, weights, source.describe, fingerprint);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
