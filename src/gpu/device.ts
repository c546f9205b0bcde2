import { Gpu, type GpuInfo, type GpuLimits } from './gpu.ts';
import { hasShaderLoader } from './shader-source.ts';

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Use `shader-f16` when the adapter has it (never required: every kernel has an f32 path). */
  allowF16?: boolean;
  /**
   * Treat storage bindings as at most this many bytes even if the adapter allows more: lets tests
   * and users rehearse the 128 MiB per-binding limit of many real GPUs, where big matrices split.
   */
  maxBindingBytes?: number;
  /** GPU memory the engine may hold in all (GpuLimits.memoryBudgetBytes); unset: no budget of its own. */
  memoryBudgetBytes?: number;
}

// Just under 1 GiB: SwiftShader advertises exactly 1 GiB but fails to allocate it (see WEBGPU.md).
const BINDING_CAP = 1023 * 1024 * 1024;

/**
 * Requests an adapter and a device with the adapter's real limits (WebGPU grants only the
 * defaults unless asked), and the optional features the engine can use.
 */
export async function acquireGpu(gpu: GPU, platform: GpuInfo['platform'], opts: AcquireOptions = {}): Promise<Gpu> {
  if (!hasShaderLoader()) throw new Error('No WGSL loader registered before acquiring the GPU');
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new Error(
      platform === 'browser'
        ? 'WebGPU is available but no GPU adapter was found. Enable WebGPU for this browser (chrome://flags/#enable-unsafe-webgpu) or update the GPU driver.'
        : 'No WebGPU adapter: install libvulkan1 and a Vulkan driver (on GPU-less machines set VK_ICD_FILENAMES to SwiftShader, see README).',
    );
  }
  const a = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: Math.min(a.maxStorageBufferBindingSize, BINDING_CAP),
    maxBufferSize: Math.min(a.maxBufferSize, BINDING_CAP),
    maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: a.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
    maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
  };
  const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName];
  if (opts.allowF16) wanted.push('shader-f16');
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'protolab' });
  const info = adapter.info;
  const limits: GpuLimits = {
    maxStorageBindingBytes: Math.min(device.limits.maxStorageBufferBindingSize, opts.maxBindingBytes ?? Infinity),
    maxBufferBytes: device.limits.maxBufferSize,
    maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    maxInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
    maxWorkgroupStorageBytes: device.limits.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerStage: device.limits.maxStorageBuffersPerShaderStage,
    ...(opts.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: opts.memoryBudgetBytes } : {}),
  };
  return new Gpu(
    device,
    {
      platform,
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    },
    limits,
    {
      f16: device.features.has('shader-f16'),
      timestamps: device.features.has('timestamp-query'),
      subgroups: device.features.has('subgroups'),
    },
  );
}
