/**
 * Node platform entry: Dawn through the `webgpu` package. On machines without a GPU it uses
 * Chromium's SwiftShader Vulkan driver so Node and the browser run the same adapter.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireGpu, type AcquireOptions } from './device.ts';
import type { Gpu } from './gpu.ts';
import { setShaderLoader } from './shader-source.ts';
import { nodeShaderLoader } from './shaders-node.ts';
import { setSettlePolicy, throttledSettle } from './wait.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let dawn: GPU | null = null;

async function dawnGpu(): Promise<GPU> {
  if (dawn) return dawn;
  // The Vulkan loader reads this when Dawn creates its instance; an explicit user choice wins.
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && process.env.PROTOLAB_VULKAN_ICD !== 'system' && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // The Vulkan loader complains on stderr without one; give it a private 0700 folder.
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'protolab-xdg-'));
  const webgpu = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, webgpu.globals);
  dawn = webgpu.create([]);
  return dawn;
}

export async function createNodeGpu(opts: AcquireOptions = {}): Promise<Gpu> {
  setShaderLoader(nodeShaderLoader);
  // Dawn's Node binding spins a core while a GPU promise is pending (see wait.ts).
  setSettlePolicy(throttledSettle);
  return acquireGpu(await dawnGpu(), 'node', opts);
}
