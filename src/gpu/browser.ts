/** Browser platform entry (main thread or worker): navigator.gpu, shaders bundled by Vite. */
import { acquireGpu, type AcquireOptions } from './device.ts';
import type { Gpu } from './gpu.ts';
import { setShaderLoader } from './shader-source.ts';
import { browserShaderLoader } from './shaders-browser.ts';

export async function createBrowserGpu(opts: AcquireOptions = {}): Promise<Gpu> {
  setShaderLoader(browserShaderLoader);
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new Error('This browser has no WebGPU (navigator.gpu is missing). Use a recent Chrome, Edge or Firefox with WebGPU enabled.');
  return acquireGpu(gpu, 'browser', opts);
}
