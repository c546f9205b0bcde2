/**
 * A typed handle on a GPU buffer. The engine keeps every tensor as a flat row-major array; the
 * shape documents how kernels index it. dtype is the element type in the buffer (always 4 bytes:
 * the engine has an f32 path everywhere, since many adapters lack `shader-f16`).
 */
export type DType = 'f32' | 'u32' | 'i32';

export interface Tensor {
  readonly buffer: GPUBuffer;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly label: string;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function byteSize(t: Tensor): number {
  return numel(t.shape) * 4;
}

export function describe(t: Tensor): string {
  return `${t.label}[${t.shape.join('x')}] ${t.dtype}`;
}
