/**
 * A checkpoint's tensors by their Hugging Face names, widened to float64, for the float64 reference
 * forward pass (model.ts). It reads the safetensors directory (one file or shards) itself and never
 * goes through the engine's weight plan (src/model/weight-plan.ts), so a wrong name or layout there
 * cannot hide in both.
 */
import { readTensor } from '../model/safetensors.ts';
import { openWeights, requireTensor, type WeightIndex } from '../model/shards.ts';
import type { ModelSource } from '../model/sources/source.ts';

export interface ReferenceWeights {
  has(name: string): boolean;
  /** The tensor, or an error naming it (absent, or in a dtype that cannot be read). */
  get(name: string): Promise<Float64Array>;
  /** get(name) where `present`, else null: the optional biases that config flags switch on. */
  maybe(name: string, present: boolean): Promise<Float64Array | null>;
}

export async function openReferenceWeights(source: ModelSource): Promise<ReferenceWeights> {
  const index: WeightIndex = await openWeights(source);
  const get = async (name: string): Promise<Float64Array> => {
    const info = requireTensor(index, name);
    // F16 and BF16 widen exactly to f32 (src/model/dtype.ts), and f32 exactly to float64.
    return Float64Array.from(await readTensor(await index.open(info.file), info));
  };
  return {
    has: (name) => index.tensors.has(name),
    get,
    maybe: (name, present) => (present ? get(name) : Promise.resolve(null)),
  };
}
