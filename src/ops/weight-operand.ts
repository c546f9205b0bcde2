import type { Tensor } from '../gpu/tensor.ts';
import type { WeightFormat } from '../model/weight-format.ts';

/**
 * A weight matrix as the kernels read it: its packed data, its scales (q8, q4) and the format that
 * says how to read them (src/model/weight-format.ts; the WGSL readers are shaders/weights/*.wgsl).
 * Element offsets and row strides passed alongside it count elements, whatever the format.
 */
export interface WeightTensor {
  readonly format: WeightFormat;
  readonly data: Tensor;
  readonly scales: Tensor | null;
}

/** A weight in any format, or a plain f32 tensor (tests, and products whose B is an activation). */
export type WeightOperand = Tensor | WeightTensor;

export function asWeight(b: WeightOperand): WeightTensor {
  return 'format' in b ? b : { format: 'f32', data: b, scales: null };
}

/** The kernel option that appends the format's reader (and the f16 widening it uses) to a kernel's source. */
export function weightReader(w: WeightTensor): { append: string[] } {
  const reader = `weights/${w.format}`;
  return { append: w.format === 'f16' || w.format === 'q8' || w.format === 'q4' ? ['common/half', reader] : [reader] };
}

/** The reader's storage buffers, by the names shaders/weights/*.wgsl declare. */
export function weightBindings(w: WeightTensor): { W: Tensor; W_scales?: Tensor } {
  if ((w.format === 'q8' || w.format === 'q4') !== (w.scales !== null)) {
    throw new Error(`a ${w.format} weight ${w.scales ? 'has no use for' : 'needs'} a scales buffer (${w.data.label})`);
  }
  return w.scales ? { W: w.data, W_scales: w.scales } : { W: w.data };
}
