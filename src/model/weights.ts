import { tensorBytes, type Gpu } from '../gpu/gpu.ts';
import { formatBytes } from '../util/bytes.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelSpec } from './config.ts';
import { readTensorRows, type TensorInfo } from './safetensors.ts';
import type { WeightIndex } from './shards.ts';
import { type Linear, allocChunk, chunkBuffers, chunkRows, writeChunkRows } from './linear.ts';
import { isFloatDtype } from './dtype.ts';
import { WEIGHT_FORMAT_NOTES, type WeightFormat } from './weight-format.ts';
import { layerNormPlans, type LinearPlan, type ModelPlan, type NormPlan, type RowPart } from './weight-plan.ts';
import { llamaPlan } from './llama.ts';
import { gptNeoxPlan } from './gpt-neox.ts';
import { gpt2Plan } from './gpt2.ts';
import { gemma3Plan } from './gemma3.ts';
import { Fnv64 } from '../util/fnv.ts';
import { settle } from '../gpu/wait.ts';

export interface NormWeights {
  w: Tensor;
  b: Tensor | null;
}

export interface LayerWeights {
  norm1: NormWeights;
  norm2: NormWeights;
  /** Per-head q / k RMSNorm weights [headDim] (spec.headNorm), else null. */
  qNorm: NormWeights | null;
  kNorm: NormWeights | null;
  /** Gemma 3's norms of the attention output and the MLP output (spec.sandwichNorms), else null. */
  postAttnNorm: NormWeights | null;
  postMlpNorm: NormWeights | null;
  qkv: Linear;
  o: Linear;
  up: Linear;
  down: Linear;
}

export interface ModelWeights {
  embed: Linear;
  /** Learned absolute position embeddings [maxPositions, hidden] (spec.learnedPositions), in the weight format; else null. */
  positions: Linear | null;
  layers: LayerWeights[];
  finalNorm: NormWeights;
  /** The output matrix; the same object as `embed` when embeddings are tied. */
  lmHead: Linear;
  /** Hash of a fixed sample of the checkpoint's weight values (every SAMPLE_STRIDE-th value of every tensor). */
  valueHash: string;
  /** How the matrices (embedding, projections, output) are stored on the GPU. */
  format: WeightFormat;
}

// Hashing every value would add a full pass over gigabytes; a fixed stride still changes with
// any retraining or fine-tune (which moves essentially all weights).
const SAMPLE_STRIDE = 61;

export class WeightShapeError extends Error {
  override name = 'WeightShapeError';
}

/** A weight holds NaN or an infinity: every result would be NaN, so the load stops and names where. */
export class WeightValueError extends Error {
  override name = 'WeightValueError';
}

/** Index of the first NaN or infinity in `data`, or -1. */
function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** The weights do not fit in the GPU memory there is: the message gives both sizes. */
export class ModelTooBigError extends Error {
  override name = 'ModelTooBigError';
}

/** Layers the checkpoint holds tensors for: one more than the highest N in a `….layers.N.…` (GPT-2: `….h.N.…`) tensor name. */
function layersPresent(index: WeightIndex): number {
  let n = 0;
  for (const name of index.tensors.keys()) {
    const m = /(?:^|\.)(?:layers|h)\.(\d+)\./u.exec(name);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

/**
 * Bytes the model's weights take on the GPU in `format`: every buffer the loader allocates (weight
 * chunks and their scales in the format; norms and biases in f32), counted by the same rules.
 */
export function weightBytesOnGpu(spec: ModelSpec, format: WeightFormat, maxBindingBytes: number): number {
  const plan = modelPlan(spec);
  let bytes = 0;
  const linear = (lp: LinearPlan) => {
    for (const range of chunkRows(format, lp.out, lp.in, maxBindingBytes)) {
      const b = chunkBuffers(format, range.rows, lp.in);
      bytes += tensorBytes(b.data.shape) + (b.scales ? tensorBytes(b.scales.shape) : 0);
    }
    if (lp.biasParts) bytes += tensorBytes([lp.out]);
  };
  const norm = (np: NormPlan) => {
    bytes += tensorBytes([np.dim]) * (np.b ? 2 : 1);
  };
  linear(plan.embed);
  if (plan.positions) linear(plan.positions);
  for (const l of plan.layers) {
    layerNormPlans(l).forEach(norm);
    [l.qkv, l.o, l.up, l.down].forEach(linear);
  }
  norm(plan.finalNorm);
  if (plan.lmHead) linear(plan.lmHead);
  return bytes;
}

/** Parameters of the model: every checkpoint tensor the engine reads, counted whole. */
export function parameterCount(spec: ModelSpec): number {
  let n = 0;
  for (const shape of expectedShapes(modelPlan(spec)).values()) n += numelOf(shape);
  return n;
}

/**
 * The format a checkpoint keeps by default: its own precision. BF16 matrices stay bf16, F16 stay
 * f16; anything else (F32, or a mix) loads as f32. Decided by the 2-D float tensors (the matrices).
 */
export function checkpointFormat(index: WeightIndex): WeightFormat {
  const dtypes = new Set<string>();
  for (const t of index.tensors.values()) if (t.shape.length === 2 && isFloatDtype(t.dtype)) dtypes.add(t.dtype);
  if (dtypes.size === 1 && dtypes.has('BF16')) return 'bf16';
  if (dtypes.size === 1 && dtypes.has('F16')) return 'f16';
  return 'f32';
}

export interface UploadOptions {
  /** The weight matrices' storage format; default the checkpoint's own (checkpointFormat). */
  format?: WeightFormat;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
  tensor: string;
}

export function modelPlan(spec: ModelSpec): ModelPlan {
  const plans = { llama: llamaPlan, gpt2: gpt2Plan, gpt_neox: gptNeoxPlan, gemma3: gemma3Plan };
  return plans[spec.arch](spec);
}

// Read at most this many bytes of a checkpoint tensor at once, so a big matrix streams to the GPU
// in slices and the host never holds it twice.
const SLICE_BYTES = 8 << 20;

/**
 * Uploads a checkpoint to the GPU following the architecture's plan. Every tensor's shape is
 * checked against the config before the first byte moves, so a mismatched checkpoint fails with
 * a message naming the tensor instead of producing garbage.
 */
export async function uploadWeights(gpu: Gpu, spec: ModelSpec, index: WeightIndex, opts: UploadOptions = {}): Promise<ModelWeights> {
  const { onProgress } = opts;
  const format = opts.format ?? checkpointFormat(index);
  // The cheapest check first: a config claiming a hundred million layers must not build a
  // hundred-million-layer plan before the first missing tensor is noticed.
  const present = layersPresent(index);
  if (spec.layers > present) {
    throw new WeightShapeError(`config.json says ${spec.arch === 'gpt2' ? 'n_layer' : 'num_hidden_layers'} is ${spec.layers}, but the checkpoint holds tensors for ${present} layer${present === 1 ? '' : 's'}: the weights and the config do not belong together.`);
  }
  const plan = modelPlan(spec);
  const expected = expectedShapes(plan);
  // The plan's name, or the first of its aliases the checkpoint has (GPT-2's `transformer.` prefix).
  const tensorOf = (name: string) => {
    for (const n of [name, ...(plan.aliases?.(name) ?? [])]) {
      const info = index.tensors.get(n);
      if (info) return info;
    }
    return undefined;
  };
  let totalBytes = 0;
  for (const [name, shape] of expected) {
    const info = tensorOf(name);
    if (!info) {
      const aliases = plan.aliases?.(name) ?? [];
      const also = aliases.length > 0 ? ` (nor ${aliases.join(', nor ')})` : '';
      throw new WeightShapeError(`The checkpoint has no tensor ${name}${also}, which a ${spec.arch} model with this config.json needs.`);
    }
    if (info.shape.length !== shape.length || info.shape.some((s, i) => s !== shape[i])) {
      throw new WeightShapeError(`Tensor ${name} has shape [${info.shape.join(', ')}] but config.json implies [${shape.join(', ')}]: the weights and the config do not belong together.`);
    }
    totalBytes += info.end - info.begin;
  }
  // Refuse before the first byte moves when a memory budget says the weights cannot fit.
  const needBytes = weightBytesOnGpu(spec, format, gpu.limits.maxStorageBindingBytes);
  const asFormat = `as ${format} (${WEIGHT_FORMAT_NOTES[format]})`;
  const budget = gpu.limits.memoryBudgetBytes;
  if (budget !== undefined && gpu.bytesAllocated + needBytes > budget) {
    throw new ModelTooBigError(
      `This model's weights need ${formatBytes(needBytes)} of GPU memory ${asFormat}, ${formatBytes(totalBytes)} in the checkpoint, ` +
        `but the GPU memory budget is ${formatBytes(budget)}${gpu.bytesAllocated > 0 ? ` with ${formatBytes(gpu.bytesAllocated)} already in use` : ''}. Pick a smaller model or a smaller weight format (q8 or q4).`,
    );
  }
  // Everything made so far is freed if the load fails half way, so a failed load leaks nothing.
  const made: Tensor[] = [];
  const alloc = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32'): Tensor => {
    const t = gpu.createTensor(shape, dtype, label);
    made.push(t);
    return t;
  };
  // WebGPU reports running out of memory through error scopes, not exceptions: without this a
  // too-big model would "load" into invalid buffers and fail later with no sizes named.
  gpu.device.pushErrorScope('out-of-memory');
  let weights: Omit<ModelWeights, 'format'>;
  try {
    weights = await uploadAll();
  } catch (e) {
    await settle(gpu.device.popErrorScope());
    for (const t of made) gpu.destroyTensor(t);
    throw e;
  }
  const oom = await settle(gpu.device.popErrorScope());
  if (oom) {
    for (const t of made) gpu.destroyTensor(t);
    throw new ModelTooBigError(
      `The GPU ran out of memory loading this model: its weights need ${formatBytes(needBytes)} ${asFormat}, ${formatBytes(totalBytes)} in the checkpoint (${oom.message}). Pick a smaller model or weight format, or close other GPU-heavy tabs and programs.`,
    );
  }
  return { ...weights, format };

  async function uploadAll(): Promise<Omit<ModelWeights, 'format'>> {
    let loadedBytes = 0;
    const hash = new Fnv64();
    const maxBinding = gpu.limits.maxStorageBindingBytes;

    const readRows = async (info: TensorInfo & { file: string }, srcRow: number, rows: number): Promise<Float32Array> => {
      const src = await index.open(info.file);
      const data = await readTensorRows(src, info, srcRow, rows);
      const bad = firstNonFinite(data);
      if (bad >= 0) {
        const width = data.length / Math.max(1, rows);
        const where = info.shape.length > 1 ? `row ${srcRow + Math.floor(bad / width)}, column ${bad % width}` : `index ${srcRow + bad}`;
        throw new WeightValueError(`The checkpoint's tensor ${info.name} holds ${data[bad]} at ${where}: the weights are damaged (every result would be NaN). Download the model again.`);
      }
      return data;
    };

    /** Rows [row, row + n) of a tensor, hashed and counted as loaded. */
    const readSlice = async (info: TensorInfo & { file: string }, row: number, n: number, tensor: string): Promise<Float32Array> => {
      const data = await readRows(info, row, n);
      const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
      for (let i = 0; i < words.length; i += SAMPLE_STRIDE) hash.word(words[i]);
      loadedBytes += (data.length * (info.end - info.begin)) / Math.max(1, numelOf(info.shape));
      onProgress?.({ loadedBytes: Math.min(loadedBytes, totalBytes), totalBytes, tensor });
      return data;
    };

    const uploadParts = async (parts: RowPart[], width: number, write: (dstRow: number, data: Float32Array) => void) => {
      for (const part of parts) {
        const info = tensorOf(part.tensor)!;
        const sliceRows = Math.max(1, Math.floor(SLICE_BYTES / (width * 4)));
        for (let r = 0; r < part.rows; r += sliceRows) {
          const n = Math.min(sliceRows, part.rows - r);
          write(part.dstRow + r, await readSlice(info, part.srcRow + r, n, part.tensor));
        }
      }
    };

    /**
     * A Conv1D matrix stored [in, out]: rows [srcRow, srcRow + rows) of its transpose, gathered
     * from the whole stored tensor read in slices, written as [rows, in] at dstRow.
     */
    const uploadTransposedParts = async (parts: RowPart[], inF: number, write: (dstRow: number, data: Float32Array) => void) => {
      for (const part of parts) {
        const info = tensorOf(part.tensor)!;
        const stored = info.shape[1];
        const out = new Float32Array(part.rows * inF);
        const sliceRows = Math.max(1, Math.floor(SLICE_BYTES / (stored * 4)));
        for (let k0 = 0; k0 < inF; k0 += sliceRows) {
          const n = Math.min(sliceRows, inF - k0);
          const data = await readSlice(info, k0, n, part.tensor);
          for (let k = 0; k < n; k++) {
            const src = k * stored + part.srcRow;
            for (let r = 0; r < part.rows; r++) out[r * inF + k0 + k] = data[src + r];
          }
        }
        write(part.dstRow, out);
      }
    };

    const linear = async (lp: LinearPlan, label: string): Promise<Linear> => {
      const chunks = chunkRows(format, lp.out, lp.in, maxBinding).map((range, i) => allocChunk(alloc, format, range, lp.in, `${label}.w${i}`));
      await (lp.transposed ? uploadTransposedParts : uploadParts)(lp.parts, lp.in, (dstRow, data) => {
        // A slice may straddle two chunks.
        let row = dstRow;
        let offset = 0;
        while (offset < data.length) {
          const c = chunks.find((ch) => row >= ch.rowStart && row < ch.rowStart + ch.rows)!;
          const n = Math.min(c.rowStart + c.rows - row, (data.length - offset) / lp.in);
          writeChunkRows(gpu, c, row - c.rowStart, data.subarray(offset, offset + n * lp.in), lp.in);
          row += n;
          offset += n * lp.in;
        }
      });
      let bias: Tensor | null = null;
      if (lp.biasParts) {
        const b = alloc([lp.out], `${label}.b`);
        await uploadParts(lp.biasParts, 1, (dstRow, data) => gpu.write(b, data, dstRow));
        bias = b;
      }
      return { out: lp.out, in: lp.in, format, chunks, bias };
    };

    const norm = async (np: NormPlan | null | undefined, label: string): Promise<NormWeights | null> => {
      if (!np) return null;
      const w = alloc([np.dim], `${label}.w`);
      const offset = np.offset ?? 0;
      await uploadParts([{ tensor: np.w, srcRow: 0, rows: np.dim, dstRow: 0 }], 1, (r, d) => gpu.write(w, offset === 0 ? d : d.map((v) => v + offset), r));
      let b: Tensor | null = null;
      if (np.b) {
        const bt = alloc([np.dim], `${label}.b`);
        await uploadParts([{ tensor: np.b, srcRow: 0, rows: np.dim, dstRow: 0 }], 1, (r, d) => gpu.write(bt, d, r));
        b = bt;
      }
      return { w, b };
    };

    const embed = await linear(plan.embed, 'embed');
    const positions = plan.positions ? await linear(plan.positions, 'positions') : null;
    const layers: LayerWeights[] = [];
    for (let i = 0; i < plan.layers.length; i++) {
      const lp = plan.layers[i];
      layers.push({
        norm1: (await norm(lp.norm1, `l${i}.norm1`))!,
        norm2: (await norm(lp.norm2, `l${i}.norm2`))!,
        qNorm: await norm(lp.qNorm, `l${i}.q_norm`),
        kNorm: await norm(lp.kNorm, `l${i}.k_norm`),
        postAttnNorm: await norm(lp.postAttnNorm, `l${i}.post_attn_norm`),
        postMlpNorm: await norm(lp.postMlpNorm, `l${i}.post_mlp_norm`),
        qkv: await linear(lp.qkv, `l${i}.qkv`),
        o: await linear(lp.o, `l${i}.o`),
        up: await linear(lp.up, `l${i}.up`),
        down: await linear(lp.down, `l${i}.down`),
      });
    }
    const finalNorm = (await norm(plan.finalNorm, 'final_norm'))!;
    const lmHead = plan.lmHead ? await linear(plan.lmHead, 'lm_head') : embed;
    return { embed, positions, layers, finalNorm, lmHead, valueHash: hash.hex() };
  }
}

function numelOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Every checkpoint tensor the plan reads, with the shape config.json implies (also what an in-memory random model must provide). */
export function expectedShapes(plan: ModelPlan): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const addLinear = (lp: LinearPlan) => {
    for (const [k, v] of Object.entries(lp.expect)) out.set(k, v);
  };
  const addNorm = (np: NormPlan) => {
    out.set(np.w, [np.dim]);
    if (np.b) out.set(np.b, [np.dim]);
  };
  addLinear(plan.embed);
  if (plan.positions) addLinear(plan.positions);
  for (const l of plan.layers) {
    layerNormPlans(l).forEach(addNorm);
    addLinear(l.qkv);
    addLinear(l.o);
    addLinear(l.up);
    addLinear(l.down);
  }
  addNorm(plan.finalNorm);
  if (plan.lmHead) addLinear(plan.lmHead);
  return out;
}
