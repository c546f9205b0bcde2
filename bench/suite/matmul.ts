/**
 * Square f32 matmul throughput (GFLOP/s of C = A·Bᵀ at 512³, 1024³ and, opt-in, 4096³): what the
 * engine's matmul kernel reaches on this adapter apart from any model. f16Status says why no f16
 * figure sits beside it. The model-shaped matmuls are in model-matmuls.ts.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import { Program } from '../../src/gpu/program.ts';
import type { Tensor } from '../../src/gpu/tensor.ts';
import { matmul } from '../../src/ops/matmul.ts';
import { Rng } from '../../src/util/rng.ts';
import { gflops, mean, round, timeProgram, type RepPolicy } from './timing.ts';

export interface MatmulResult {
  size: number;
  /** Untimed runs first (0 at 4096³: its pipeline is the one 1024³ compiled). */
  warmup?: number;
  reps: number;
  msPerRun: number;
  gflops: number;
}

/**
 * C = A·Bᵀ (f32, the forward of a linear layer) at size³: `warmup` untimed runs, then `reps`
 * timed runs, each one submission timed from submit to queue completion; mean of the reps.
 */
export async function benchMatmul(gpu: Gpu, size: number, policy: RepPolicy, warmup = 1): Promise<MatmulResult> {
  const rng = new Rng(size);
  const tensor = (label: string): Tensor => {
    const t = gpu.createTensor([size, size], 'f32', label);
    gpu.write(t, rng.normalArray(size * size));
    return t;
  };
  const a = tensor('bench.a');
  const b = tensor('bench.b');
  const c = gpu.createTensor([size, size], 'f32', 'bench.c');
  const p = new Program(gpu, `bench.matmul${size}`);
  matmul(p, 'matmul', { a, b, c, M: size, N: size, K: size, transposeB: true });
  const times = await timeProgram(p, warmup, policy);
  p.destroy();
  for (const t of [a, b, c]) gpu.destroyTensor(t);
  const ms = mean(times);
  return { size, warmup, reps: times.length, msPerRun: round(ms), gflops: gflops(2 * size ** 3, ms) };
}

/** f16 matmul: what this adapter and engine allow (the engine's kernels are f32; shader-f16 decides whether f16 could be measured at all). */
export function f16Status(gpu: Gpu): string {
  return gpu.features.f16
    ? 'not measured: the adapter has shader-f16, but the engine has no f16 matmul kernel yet'
    : 'not measured: this adapter has no shader-f16';
}
