import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { embedRows, type Linear } from './linear.ts';
import { addInPlace } from '../ops/elementwise.ts';

/**
 * Learned absolute positions (GPT-2's wpe [maxPositions, d], held in the weight format like the
 * token embedding). transformers adds them to whatever enters the first layer, inputs_embeds
 * included, so proto-token and memory-token inputs get them as token embeddings do:
 *
 *   x0 [R, d] = inputs [R, d] + wpe[positionIds] [R, d]     (a gather, then an add)
 *
 * Its backward is the identity: d inputs = d x0 (the weights are frozen).
 */

/** Position of every row of B sequences of N positions starting at `start`: row b·N + i → start + i. */
export function positionIds(B: number, N: number, start = 0): Uint32Array {
  const ids = new Uint32Array(B * N);
  for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) ids[b * N + i] = start + i;
  return ids;
}

/** x0 = inputs + wpe[ids], over `rows` rows of d = wpe.in values (x0 a buffer of its own). */
export function addPositions(p: Program, label: string, wpe: Linear, ids: Tensor, inputs: Tensor, x0: Tensor, rows: number): void {
  embedRows(p, `${label}.gather`, wpe, ids, x0, rows);
  addInPlace(p, `${label}.add`, { dst: x0, src: inputs, n: rows * wpe.in });
}
