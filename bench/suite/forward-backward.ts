/**
 * ms of one forward + backward pass of stories260k over N random input embeddings with random
 * targets, recorded as one Program and submitted whole: the engine's own cost of a training pass,
 * without the optimiser's layout, keep-best and AdamW around it (those are in a step: see
 * kernel-breakdown.ts and compression.ts). Also reports how many bytes the activations and
 * gradients hold.
 */
import { Program } from '../../src/gpu/program.ts';
import type { Model } from '../../src/model/model.ts';
import { TransformerSession } from '../../src/model/transformer.ts';
import { Rng } from '../../src/util/rng.ts';
import { mean, round, timeProgram, type RepPolicy } from './timing.ts';

export interface ForwardBackwardResult {
  N: number;
  reps: number;
  /** Mean ms of one forward+backward (one submission, waited for). */
  ms: number;
  /** Fastest rep. */
  minMs: number;
  dispatches: number;
  /** GPU bytes the session (activations, gradients) holds, weights excluded. */
  sessionBytes: number;
}

/** Session for one sequence of N random input embeddings with random targets: forward + backward in one Program. */
function fwdBwdProgram(model: Model, N: number): { session: TransformerSession; program: Program } {
  const gpu = model.gpu;
  const d = model.spec.hidden;
  const rng = new Rng(1000 + N);
  const session = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: true });
  gpu.write(session.inputs, rng.normalArray(N * d));
  gpu.write(session.targets, Uint32Array.from({ length: N }, () => rng.int(model.spec.vocabSize)));
  const program = new Program(gpu, `bench.fwdbwd${N}`);
  session.recordForward(program);
  session.recordBackward(program);
  return { session, program };
}

export async function benchForwardBackward(model: Model, N: number, policy: RepPolicy, warmup = 1): Promise<ForwardBackwardResult> {
  const { session, program } = fwdBwdProgram(model, N);
  const times = await timeProgram(program, warmup, policy);
  const result = { N, reps: times.length, ms: round(mean(times)), minMs: round(Math.min(...times)), dispatches: program.dispatchCount, sessionBytes: session.bytes };
  program.destroy();
  session.destroy();
  return result;
}
