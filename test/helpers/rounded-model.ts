import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, encodeSafetensors, readSafetensorsHeader, readTensor } from '../../src/model/safetensors.ts';
import { roundTrip, type WeightFormat } from '../../src/model/weight-format.ts';
import type { ModelSource } from '../../src/model/sources/source.ts';

/**
 * A single-file checkpoint folder with every matrix (2-D tensor: embeddings and projections in the
 * families the engine reads) replaced by the values format f stores, written as F32. Loaded as f32
 * it is the model a format computes with, through the f32 engine the golden fixtures check.
 */
export async function roundedModel(dir: string, f: WeightFormat): Promise<ModelSource> {
  const raw = readFileSync(join(dir, 'model.safetensors'));
  const src = bytesSource(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), `${dir}/model.safetensors`);
  const header = await readSafetensorsHeader(src);
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  for (const info of header.tensors.values()) {
    const data = await readTensor(src, info);
    tensors.push({ name: info.name, shape: info.shape, data: info.shape.length === 2 ? roundTrip(f, data, info.shape[0], info.shape[1]) : data });
  }
  const bytes = encodeSafetensors(tensors);
  const describe = `${dir} rounded to ${f}`;
  return {
    describe,
    has: async (file) => file === 'config.json' || file === 'model.safetensors',
    open: async () => bytesSource(bytes, `${describe}/model.safetensors`),
    text: async (file) => readFileSync(join(dir, file), 'utf8'),
  };
}
