import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelSpec } from './config.ts';
import type { ModelWeights } from './weights.ts';
import { embedRows } from './linear.ts';

/**
 * out [rows, d] = the token embeddings of ids as the model's own embedding layer gives them:
 * Gemma's multiplies by sqrt(hidden) (spec.embedScale), the others look up the row. Every token
 * the engine embeds (evaluation, the KV-cached decoder, the memory-token baseline's text) comes
 * through here; proto-token inputs, which transformers takes as inputs_embeds, never do.
 */
export function embedTokens(p: Program, label: string, model: { spec: ModelSpec; weights: ModelWeights }, ids: Tensor, out: Tensor, rows: number): void {
  embedRows(p, label, model.weights.embed, ids, out, rows, model.spec.embedScale);
}
