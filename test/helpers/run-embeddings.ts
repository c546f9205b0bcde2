import { Program } from '../../src/gpu/program.ts';
import type { Model } from '../../src/model/model.ts';
import { TransformerSession } from '../../src/model/transformer.ts';

export interface EmbeddingRun {
  lossSum: number;
  loss: Float32Array;
  argmax: Uint32Array;
  grad: Float32Array | null;
  logits: Float32Array | null;
}

/** One forward (and backward) pass of given input embeddings [N, d] against targets [N]. */
export async function runEmbeddings(model: Model, inputs: Float32Array, targets: number[], opts: { grad: boolean; keepLogits?: boolean }): Promise<EmbeddingRun> {
  const { gpu } = model;
  const N = targets.length;
  const s = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: opts.grad, keepLogits: opts.keepLogits });
  try {
    gpu.write(s.inputs, inputs);
    gpu.write(s.targets, Uint32Array.from(targets));
    const p = new Program(gpu, 'embeddings');
    s.recordForward(p);
    if (opts.grad) s.recordBackward(p);
    p.run();
    const want = [s.loss, s.argmax, ...(opts.grad ? [s.dInputs!] : []), ...(opts.keepLogits ? [s.logits!] : [])];
    const got = await gpu.readMany(want);
    p.destroy();
    const loss = got[0] as Float32Array;
    let lossSum = 0;
    for (const x of loss) lossSum += x;
    return {
      lossSum,
      loss,
      argmax: got[1] as Uint32Array,
      grad: opts.grad ? (got[2] as Float32Array) : null,
      logits: opts.keepLogits ? (got[opts.grad ? 3 : 2] as Float32Array) : null,
    };
  } finally {
    s.destroy();
  }
}

/** [e, m, m, ..., m] as the paper's input. */
export function protoInputs(e: ArrayLike<number>, m: ArrayLike<number>, N: number): Float32Array {
  const d = e.length;
  const out = new Float32Array(N * d);
  out.set(Float32Array.from(e), 0);
  for (let i = 1; i < N; i++) out.set(Float32Array.from(m), i * d);
  return out;
}
