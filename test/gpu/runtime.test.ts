import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { GpuAllocationError, grid } from '../../src/gpu/gpu.ts';
import { createNodeGpu } from '../../src/gpu/node.ts';
import { testGpu } from '../helpers/gpu.ts';

describe('GPU runtime', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });

  it('reports the adapter and the limits it was granted', () => {
    expect(gpu.info.platform).toBe('node');
    expect(gpu.limits.maxStorageBindingBytes).toBeGreaterThanOrEqual(128 << 20);
    expect(gpu.limits.maxInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(gpu.cpuEmulated).toBe(true); // SwiftShader on these machines
  });

  it('caches pipelines by shader, entry point and constants', () => {
    const a = gpu.kernel('matmul', 'matmul', { constants: { WG_X: 8, WG_Y: 8 } });
    const b = gpu.kernel('matmul', 'matmul', { constants: { WG_X: 8, WG_Y: 8 } });
    const c = gpu.kernel('matmul', 'matmul', { constants: { WG_X: 16, WG_Y: 4 } });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('reuses freed buffers, zeroed, without growing the allocation', async () => {
    const t = gpu.createTensor([1000]);
    gpu.write(t, new Float32Array(1000).fill(7));
    const before = gpu.bytesAllocated;
    gpu.destroyTensor(t);
    expect(gpu.pooledBytes).toBeGreaterThan(0);
    const u = gpu.createTensor([1000]);
    expect(u.buffer).toBe(t.buffer);
    expect(gpu.bytesAllocated).toBe(before);
    expect(Array.from(await gpu.read(u)).every((x) => x === 0)).toBe(true);
    gpu.destroyTensor(u);
  });

  it('refuses a tensor larger than a binding, naming both sizes and what to do', async () => {
    const small = await createNodeGpu({ maxBindingBytes: 1 << 20 });
    expect(() => small.createTensor([1 << 20], 'f32', 'logits')).toThrow(GpuAllocationError);
    expect(() => small.createTensor([1 << 20], 'f32', 'logits')).toThrow(/4\.0 MiB asked for.*1\.0 MiB.*shorter text/);
    small.destroy();
  });

  it('splits large workgroup counts into a 2-D grid', () => {
    expect(grid(10)).toEqual([10, 1, 1]);
    const [x, y] = grid(200_000);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
    expect(x).toBeLessThanOrEqual(65535);
  });

  it('reports device loss to its listeners', async () => {
    const g = await createNodeGpu();
    const lost = new Promise<string>((resolve) => g.onLost(resolve));
    g.device.destroy();
    expect(await lost).toMatch(/destroyed/);
    expect(g.lost).toBe(true);
  });
});
