import type { ModelSpec } from '../model/config.ts';
import { chunkRows } from '../model/linear.ts';
import { countingAlloc, sessionBuffers } from '../model/session-buffers.ts';
import { BY_PRECISION, type WeightChoice, type WeightFormat } from '../model/weight-format.ts';
import type { Gpu } from '../gpu/gpu.ts';
import type { Model } from '../model/model.ts';
import { parameterCount, weightBytesOnGpu } from '../model/weights.ts';
import { layoutLength, type FirstTarget, type LayoutName } from '../shared/layouts.ts';
import { PAPER_SETTINGS } from '../shared/run-settings.ts';
import { trainerBuffers } from './input-trainer.ts';

/**
 * GPU memory a proto-token run needs, from the engine's own allocation plans: the weights as the
 * loader allocates them (weights.ts weightBytesOnGpu) and a trainer for one text of N tokens as its
 * constructor allocates it (session-buffers.ts and input-trainer.ts trainerBuffers, run with an
 * allocator that only counts). test/model/memory-plan.test.ts holds these to the bytes a real
 * load and trainer take.
 */
export interface MemoryPlan {
  params: number;
  weight_format: WeightFormat;
  weight_bytes: number;
  /** A one-text proto-token trainer of n tokens: activations, gradients, logits chunk, optimiser state. */
  activation_bytes: number;
  total_bytes: number;
  n: number;
}

/** When the lab cannot learn the GPU's memory (WebGPU does not say), `auto` assumes this much: a common consumer GPU. */
export const ASSUMED_GPU_MEMORY = 8 * 2 ** 30;

export const DEFAULT_PLAN_N = 128;

export function memoryPlan(
  spec: ModelSpec,
  format: WeightFormat,
  n: number,
  maxBindingBytes: number,
  layout: { layout: LayoutName; firstTarget: FirstTarget } = PAPER_SETTINGS,
): MemoryPlan {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a whole number of tokens, at least 1 (got ${n})`);
  const L = layoutLength(layout.layout, n, layout.firstTarget);
  const count = countingAlloc();
  const lmIn = spec.hidden;
  sessionBuffers(spec, { batch: 1, seqLen: L, withGrad: true }, chunkRows(format, spec.vocabSize, lmIn, maxBindingBytes), maxBindingBytes, count.alloc);
  trainerBuffers({ B: 1, L, P: 2, d: spec.hidden, rowsPerItem: 2, frozen: false, tokens: false }, count.alloc);
  const weight_bytes = weightBytesOnGpu(spec, format, maxBindingBytes);
  const activation_bytes = count.bytes();
  return { params: parameterCount(spec), weight_format: format, weight_bytes, activation_bytes, total_bytes: weight_bytes + activation_bytes, n };
}

/** `auto` found no format that fits. */
export class NoFormatFitsError extends Error {
  override name = 'NoFormatFitsError';
}

export interface FormatFit extends MemoryPlan {
  fits: boolean;
}

/** Every format's plan and whether it fits in `memoryBytes`, most precise first. */
export function formatFits(spec: ModelSpec, n: number, maxBindingBytes: number, memoryBytes: number): FormatFit[] {
  return BY_PRECISION.map((f) => {
    const plan = memoryPlan(spec, f, n, maxBindingBytes);
    return { ...plan, fits: plan.total_bytes <= memoryBytes };
  });
}

/** `auto`: the most precise format whose run fits in `memoryBytes`; refused with the sizes when none does. */
export function autoFormat(spec: ModelSpec, n: number, maxBindingBytes: number, memoryBytes: number): WeightFormat {
  const fits = formatFits(spec, n, maxBindingBytes, memoryBytes);
  const best = fits.find((f) => f.fits);
  if (best) return best.weight_format;
  const q4 = fits[fits.length - 1];
  throw new NoFormatFitsError(
    `No weight format fits: even q4 needs ${(q4.total_bytes / 2 ** 30).toFixed(2)} GiB for a text of ${n} tokens, and ${(memoryBytes / 2 ** 30).toFixed(2)} GiB of GPU memory is available. Use a shorter text or a smaller model.`,
  );
}

/**
 * The load rule for a user's choice: a format as is; `auto` the most precise one that fits a run of
 * n tokens in the GPU memory left (the budget if one is set, else ASSUMED_GPU_MEMORY); undefined
 * (no choice) the checkpoint's own precision.
 */
export function weightsRule(choice: WeightChoice | undefined, n: number, gpu: Pick<Gpu, 'limits' | 'bytesAllocated'>): WeightFormat | ((spec: ModelSpec) => WeightFormat) | undefined {
  if (choice !== 'auto') return choice;
  return (spec) => autoFormat(spec, n, gpu.limits.maxStorageBindingBytes, (gpu.limits.memoryBudgetBytes ?? ASSUMED_GPU_MEMORY) - gpu.bytesAllocated);
}

/** One weight format's memory for the loaded model, as the model panel shows it. */
export interface FormatMemory {
  format: WeightFormat;
  weightBytes: number;
  /** Weights plus a one-text trainer of `n` tokens. */
  totalBytes: number;
  fits: boolean;
}

/** The loaded model's GPU memory: its weight format, what the engine holds now, and every format's plan. */
export interface ModelMemory {
  format: WeightFormat;
  weightBytes: number;
  /** Bytes the engine holds on the GPU (right after a load: weights and their scales, norms, biases). */
  inUse: number;
  /** The memory the fits are judged against (the budget if one is set, else ASSUMED_GPU_MEMORY). */
  available: number;
  n: number;
  formats: FormatMemory[];
}

export function modelMemory(model: Model, n: number): ModelMemory {
  const { gpu, spec } = model;
  const available = gpu.limits.memoryBudgetBytes ?? ASSUMED_GPU_MEMORY;
  const maxBinding = gpu.limits.maxStorageBindingBytes;
  return {
    format: model.weightFormat,
    weightBytes: weightBytesOnGpu(spec, model.weightFormat, maxBinding),
    inUse: gpu.bytesAllocated,
    available,
    n,
    formats: formatFits(spec, n, maxBinding, available).map((f) => ({ format: f.weight_format, weightBytes: f.weight_bytes, totalBytes: f.total_bytes, fits: f.fits })),
  };
}
