import { createNodeGpu } from '../../src/gpu/node.ts';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { Program } from '../../src/gpu/program.ts';
import type { Tensor } from '../../src/gpu/tensor.ts';

let shared: Promise<Gpu> | null = null;

/** One device per test file (vitest isolates files), created on first use. */
export function testGpu(): Promise<Gpu> {
  shared ??= createNodeGpu();
  return shared;
}

export function upload(gpu: Gpu, shape: number[], data: ArrayLike<number>, label = 't', dtype: 'f32' | 'u32' = 'f32'): Tensor {
  const t = gpu.createTensor(shape, dtype, label);
  gpu.write(t, dtype === 'f32' ? Float32Array.from(data) : Uint32Array.from(data));
  return t;
}

/** Runs a one-off program built by `build`, waits, and frees its uniforms. */
export async function runOnce(gpu: Gpu, build: (p: Program) => void): Promise<void> {
  const p = new Program(gpu, 'test');
  build(p);
  p.run();
  await gpu.idle();
  p.destroy();
}
