/**
 * The checkpoint's tensor directory: a single model.safetensors, or model.safetensors.index.json whose
 * weight_map sends each tensor to a shard file. Every header is read and validated up front so a missing shard
 * or a tensor the index promises but its shard lacks fails the load before anything is uploaded.
 */
import { readSafetensorsHeader, SafetensorsError, type ByteSource, type TensorInfo } from './safetensors.ts';
import { checkFileName, type ModelSource } from './sources/source.ts';
import { parseJsonText } from './json-text.ts';

export interface WeightIndex {
  tensors: Map<string, TensorInfo & { file: string }>;
  /** Cached per file. */
  open(file: string): Promise<ByteSource>;
  /** Tensors present in the checkpoint in dtypes the engine cannot read, so a lookup can explain itself. */
  unsupported: Map<string, { dtype: string; shape: number[]; file: string }>;
  describe: string;
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export class WeightsError extends Error {
  override name = 'WeightsError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readWeightMap(src: ModelSource): Promise<Map<string, string>> {
  const where = `${src.describe}/${INDEX_FILE}`;
  let json: unknown;
  try {
    json = parseJsonText(await src.text(INDEX_FILE));
  } catch (e) {
    if (e instanceof SyntaxError) throw new WeightsError(`${where} is not valid JSON (${e.message})`);
    throw e;
  }
  const map = isRecord(json) ? json.weight_map : undefined;
  if (!isRecord(map)) throw new WeightsError(`${where} has no weight_map object ({"weight_map": {"tensor name": "shard file"}})`);
  const out = new Map<string, string>();
  for (const [tensor, file] of Object.entries(map)) {
    if (typeof file !== 'string') throw new WeightsError(`${where}: weight_map[${JSON.stringify(tensor)}] is not a file name`);
    out.set(tensor, checkFileName(file, where));
  }
  if (out.size === 0) throw new WeightsError(`${where}: weight_map is empty`);
  return out;
}

export async function openWeights(src: ModelSource): Promise<WeightIndex> {
  const opened = new Map<string, Promise<ByteSource>>();
  const open = (file: string): Promise<ByteSource> => {
    let p = opened.get(file);
    if (!p) {
      p = src.open(file);
      // A failed open must not poison the cache: the next caller retries.
      p.catch(() => opened.delete(file));
      opened.set(file, p);
    }
    return p;
  };

  const tensors = new Map<string, TensorInfo & { file: string }>();
  const unsupported = new Map<string, { dtype: string; shape: number[]; file: string }>();

  if (await src.has(INDEX_FILE)) {
    const weightMap = await readWeightMap(src);
    const files = [...new Set(weightMap.values())];
    const present = await Promise.all(files.map((f) => src.has(f)));
    const missing = files.filter((_, i) => !present[i]);
    if (missing.length > 0) {
      throw new WeightsError(`${src.describe}: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} named in ${INDEX_FILE} ${missing.length > 1 ? 'are' : 'is'} missing; download every shard the index lists`);
    }
    const headers = new Map(await Promise.all(files.map(async (f) => [f, await readSafetensorsHeader(await open(f))] as const)));
    for (const [name, file] of weightMap) {
      const h = headers.get(file)!;
      const info = h.tensors.get(name);
      if (info) {
        tensors.set(name, { ...info, file });
        continue;
      }
      const other = h.unsupported.get(name);
      if (other) {
        unsupported.set(name, { ...other, file });
        continue;
      }
      throw new WeightsError(`${src.describe}: tensor ${JSON.stringify(name)} is listed in ${INDEX_FILE} under ${file} but that shard does not contain it; the shard or index is stale or corrupt`);
    }
  } else if (await src.has(SINGLE_FILE)) {
    const h = await readSafetensorsHeader(await open(SINGLE_FILE));
    for (const [name, info] of h.tensors) tensors.set(name, { ...info, file: SINGLE_FILE });
    for (const [name, other] of h.unsupported) unsupported.set(name, { ...other, file: SINGLE_FILE });
  } else {
    const bin = (await src.has('pytorch_model.bin')) || (await src.has('pytorch_model.bin.index.json'));
    throw new WeightsError(
      `${src.describe} has neither ${SINGLE_FILE} nor ${INDEX_FILE}` +
        (bin ? '; it has PyTorch .bin weights, which the lab cannot read: convert them to safetensors first' : '; the lab loads safetensors checkpoints'),
    );
  }
  return { tensors, open, unsupported, describe: src.describe };
}

/** A tensor by name, or an error that says whether it is absent or present in an unreadable dtype. */
export function requireTensor(index: WeightIndex, name: string): TensorInfo & { file: string } {
  const info = index.tensors.get(name);
  if (info) return info;
  const other = index.unsupported.get(name);
  if (other) throw new SafetensorsError(`${index.describe}: tensor ${JSON.stringify(name)} in ${other.file} is ${other.dtype}; only F32, F16 and BF16 weights can be loaded`);
  throw new WeightsError(`${index.describe}: the checkpoint has no tensor ${JSON.stringify(name)}; is config.json's model_type right for these weights?`);
}
