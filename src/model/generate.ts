import { Program } from '../gpu/program.ts';
import type { Model } from './model.ts';
import { TransformerSession } from './transformer.ts';
import { recordTokenEmbeddings } from './evaluate.ts';

/**
 * Greedy decoding by re-running the whole prefix each step. Causal attention makes positions past
 * the current one irrelevant, so one session of the final length is reused and only its token
 * ids change. (The KV-cached decoder, used for memory-token decoding and throughput, is kv-decode.ts.)
 */
export async function greedyGenerate(model: Model, prompt: readonly number[], count: number): Promise<number[]> {
  const { gpu } = model;
  const total = prompt.length + count;
  if (prompt.length === 0) throw new Error('Greedy generation needs at least one prompt token (e.g. BOS).');
  const session = new TransformerSession(model, { batch: 1, seqLen: total, withGrad: false });
  const ids = gpu.createTensor([total], 'u32', 'gen_ids');
  const tokens = new Uint32Array(total);
  tokens.set(prompt);
  const p = new Program(gpu, 'generate');
  recordTokenEmbeddings(p, model, session, ids);
  session.recordForward(p);
  try {
    for (let cur = prompt.length; cur < total; cur++) {
      gpu.write(ids, tokens);
      p.run();
      const argmax = await gpu.readU32(session.argmax);
      tokens[cur] = argmax[cur - 1];
    }
    return Array.from(tokens.subarray(prompt.length));
  } finally {
    p.destroy();
    gpu.destroyTensor(ids);
    session.destroy();
  }
}
