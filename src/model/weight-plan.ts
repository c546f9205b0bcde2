import type { ModelSpec } from './config.ts';

/**
 * Where each GPU weight comes from in a Hugging Face checkpoint. The engine fuses projections
 * that read the same input (q/k/v; gate/up) into one matrix so each is one matmul; a plan lists,
 * for every fused matrix, which rows of which checkpoint tensor land at which rows.
 */
export interface RowPart {
  tensor: string;
  srcRow: number;
  rows: number;
  dstRow: number;
}

export interface LinearPlan {
  out: number;
  in: number;
  parts: RowPart[];
  /** Same row mapping applied to 1-D bias tensors, or null when the layer has no bias. */
  biasParts: RowPart[] | null;
  /** The full shape each named tensor must have (checked before anything is uploaded). */
  expect: Record<string, number[]>;
  /**
   * The checkpoint stores the matrix transposed, [in, out] (GPT-2's Conv1D): the loader reads the
   * whole tensor and uploads the rows of its transpose, so parts' srcRow and rows count rows of
   * the transpose (columns of the stored tensor).
   */
  transposed?: boolean;
}

export interface NormPlan {
  w: string;
  b: string | null;
  dim: number;
  /** Added to the weight at load (Gemma's RMSNorm scales by 1 + w); absent = 0. */
  offset?: number;
}

export interface LayerPlan {
  norm1: NormPlan;
  norm2: NormPlan;
  /** Per-head RMSNorm weights [headDim] on the q heads and the k heads (Qwen3's q_norm, k_norm); null without head norms. */
  qNorm: NormPlan | null;
  kNorm: NormPlan | null;
  /** Gemma 3's sandwich norms on the attention output and the MLP output (spec.sandwichNorms); else null. */
  postAttnNorm?: NormPlan | null;
  postMlpNorm?: NormPlan | null;
  qkv: LinearPlan;
  o: LinearPlan;
  up: LinearPlan;
  down: LinearPlan;
}

export interface ModelPlan {
  embed: LinearPlan;
  /** Learned absolute position embeddings [maxPositions, hidden] (GPT-2's wpe), read like the embedding; null without. */
  positions: LinearPlan | null;
  layers: LayerPlan[];
  finalNorm: NormPlan;
  /** null when the output matrix is the input embedding (tied). */
  lmHead: LinearPlan | null;
  /**
   * Other names a checkpoint may give a tensor, tried in order when it lacks the plan's own: GPT-2's
   * `transformer.` prefix (some checkpoints write it, others do not), a multimodal Gemma 3's
   * language_model paths.
   */
  aliases?: (name: string) => string[];
}

/** A layer's norms that exist, in a fixed order (for counting, listing and freeing them). */
export function layerNormPlans(l: LayerPlan): NormPlan[] {
  return [l.norm1, l.norm2, l.qNorm, l.kNorm, l.postAttnNorm ?? null, l.postMlpNorm ?? null].filter((n): n is NormPlan => n !== null);
}

/** A plain matrix copied whole from one checkpoint tensor (plus its bias if any). */
export function whole(name: string, out: number, inF: number, bias: string | null): LinearPlan {
  return {
    out,
    in: inF,
    parts: [{ tensor: name, srcRow: 0, rows: out, dstRow: 0 }],
    biasParts: bias ? [{ tensor: bias, srcRow: 0, rows: out, dstRow: 0 }] : null,
    expect: { [name]: [out, inF], ...(bias ? { [bias]: [out] } : {}) },
  };
}

/** A matrix stored transposed, [in, out] (Conv1D), and its bias [out]: uploaded as its transpose [out, in]. */
export function conv1d(name: string, out: number, inF: number, bias: string | null): LinearPlan {
  return { ...whole(name, out, inF, bias), expect: { [name]: [inF, out], ...(bias ? { [bias]: [out] } : {}) }, transposed: true };
}

/** Matrices stacked by rows: [a; b; c] (Llama q/k/v, gate/up). */
export function stacked(tensors: { name: string; rows: number; bias: string | null }[], inF: number): LinearPlan {
  let dst = 0;
  const parts: RowPart[] = [];
  const biasParts: RowPart[] = [];
  const expect: Record<string, number[]> = {};
  for (const t of tensors) {
    parts.push({ tensor: t.name, srcRow: 0, rows: t.rows, dstRow: dst });
    expect[t.name] = [t.rows, inF];
    if (t.bias) {
      biasParts.push({ tensor: t.bias, srcRow: 0, rows: t.rows, dstRow: dst });
      expect[t.bias] = [t.rows];
    }
    dst += t.rows;
  }
  const hasBias = tensors.some((t) => t.bias);
  if (hasBias && biasParts.length !== tensors.length) throw new Error('stacked(): either every part has a bias or none');
  return { out: dst, in: inF, parts, biasParts: hasBias ? biasParts : null, expect };
}

export function spec2qkvRows(spec: ModelSpec): { q: number; kv: number; total: number } {
  const q = spec.heads * spec.headDim;
  const kv = spec.kvHeads * spec.headDim;
  return { q, kv, total: q + 2 * kv };
}
