import type { Model } from '../model/model.ts';
import { KvDecoder } from '../model/kv-decode.ts';
import type { MemoryVectors } from './trainer.ts';

/**
 * Reproduces texts from their memory alone: the K memory vectors are the whole prompt, then N
 * tokens are decoded greedily with the KV cache (each generated token is fed back). Items must
 * share K; returns the N tokens of each.
 */
export async function decodeFromMemoryBatch(model: Model, items: readonly MemoryVectors[], N: number): Promise<number[][]> {
  const d = model.spec.hidden;
  if (items.length === 0) return [];
  const K = items[0].K;
  for (const v of items) {
    if (v.K !== K) throw new Error(`Memories decoded together need the same number of vectors (${v.K} vs ${K}).`);
    if (v.memory.length !== K * d) throw new Error(`This memory has ${v.memory.length} values, but ${K} vectors of this model's width ${d} need ${K * d}.`);
  }
  const dec = new KvDecoder(model, { batch: items.length, prefix: K, count: N });
  try {
    const inputs = new Float32Array(items.length * K * d);
    items.forEach((v, b) => inputs.set(v.memory, b * K * d));
    model.gpu.write(dec.inputs, inputs);
    return await dec.run();
  } finally {
    dec.destroy();
  }
}

export async function decodeFromMemory(model: Model, v: MemoryVectors, N: number): Promise<number[]> {
  return (await decodeFromMemoryBatch(model, [v], N))[0];
}
