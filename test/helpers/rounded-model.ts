import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, encodeSafetensors, readSafetensorsHeader, readTensor } from '../../src/model/safetensors.ts';
import { roundTrip, type WeightFormat } from '../../src/model/weight-format.ts';
import type { ModelSource } from '../../src/model/sources/source.ts';
import { parseConfig } from '../../src/model/config.ts';
import { modelPlan } from '../../src/model/weights.ts';

/** Names of the tensors the engine uploads transposed (GPT-2's Conv1D, stored [in, out]), under the plan's names and their aliases. */
function transposedTensors(dir: string): Set<string> {
  const plan = modelPlan(parseConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))));
  const names = new Set<string>();
  for (const lp of [plan.embed, plan.positions, plan.lmHead, ...plan.layers.flatMap((l) => [l.qkv, l.o, l.up, l.down])]) {
    if (!lp?.transposed) continue;
    for (const part of lp.parts) for (const n of [part.tensor, ...(plan.aliases?.(part.tensor) ?? [])]) names.add(n);
  }
  return names;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * A single-file checkpoint folder with every matrix (2-D tensor: embeddings and projections in the
 * families the engine reads) replaced by the values format f stores, written as F32. Loaded as f32
 * it is the model a format computes with, through the f32 engine the golden fixtures check.
 * A matrix the engine uploads transposed (Conv1D [in, out]) is rounded as the engine stores it:
 * along the rows of its transpose (quantization groups run along a row).
 */
export async function roundedModel(dir: string, f: WeightFormat): Promise<ModelSource> {
  const raw = readFileSync(join(dir, 'model.safetensors'));
  const src = bytesSource(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), `${dir}/model.safetensors`);
  const header = await readSafetensorsHeader(src);
  const transposed = transposedTensors(dir);
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  for (const info of header.tensors.values()) {
    const data = await readTensor(src, info);
    const [rows, cols] = info.shape;
    let stored = data;
    if (info.shape.length === 2) {
      stored = transposed.has(info.name) ? transpose(roundTrip(f, transpose(data, rows, cols), cols, rows), cols, rows) : roundTrip(f, data, rows, cols);
    }
    tensors.push({ name: info.name, shape: info.shape, data: stored });
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
