import { shaderSource } from './shader-source.ts';
import { type DType, type Tensor, numel, describe } from './tensor.ts';
import { settle } from './wait.ts';
import { formatBytes } from '../util/bytes.ts';

/** What the layers above may rely on, resolved from the adapter's real limits at device creation. */
export interface GpuLimits {
  /** Largest single storage binding in bytes. Tensors above this are split by the model loader. */
  maxStorageBindingBytes: number;
  maxBufferBytes: number;
  maxWorkgroupsPerDimension: number;
  maxInvocationsPerWorkgroup: number;
  maxWorkgroupStorageBytes: number;
  maxStorageBuffersPerStage: number;
  /**
   * GPU memory the engine may hold in tensors, all together. WebGPU does not report a device's
   * memory, so this is unset unless the user (or a test) sets a budget; without one, running out
   * is caught by the out-of-memory error scopes instead (see uploadWeights).
   */
  memoryBudgetBytes?: number;
}

export interface GpuInfo {
  platform: 'browser' | 'node';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface GpuFeatures {
  f16: boolean;
  timestamps: boolean;
  subgroups: boolean;
}

export class GpuAllocationError extends Error {
  constructor(
    readonly requestedBytes: number,
    readonly limitBytes: number,
    what: string,
    /** Bytes already held when the limit is the whole memory budget (undefined: a per-binding limit). */
    readonly inUseBytes?: number,
  ) {
    super(
      (inUseBytes === undefined
        ? `Cannot allocate ${what}: ${formatBytes(requestedBytes)} asked for, this GPU allows ${formatBytes(limitBytes)}. `
        : `Cannot allocate ${what}: ${formatBytes(requestedBytes)} asked for with ${formatBytes(inUseBytes)} already in use, the GPU memory budget is ${formatBytes(limitBytes)}. `) +
        'Use a shorter text, a smaller batch or a smaller model.',
    );
    this.name = 'GpuAllocationError';
  }
}

// Freed tensors are kept for reuse up to this many bytes: repeated runs of the same shapes (200
// short runs in a row, a sweep) then allocate nothing new.
const POOL_BYTES = 256 << 20;

export interface KernelOptions {
  /** `override` constants of the WGSL module (tile sizes, workgroup sizes). */
  constants?: Record<string, number>;
  /** `{{NAME}}` template values (see shader-source.ts). */
  defines?: Record<string, string | number>;
  /**
   * Shader files appended to the kernel's own, by name under shaders/ (a weight format's reader,
   * `weights/q8`: the functions the kernel calls to read its weight matrix).
   */
  append?: readonly string[];
}

/**
 * Bytes of GPU memory a tensor of this shape takes (4-byte elements). Storage bindings must be a
 * multiple of 4 bytes; sizes are rounded to 16 so vec4 views stay legal. Memory plans count with it.
 */
export function tensorBytes(shape: readonly number[]): number {
  return Math.ceil(Math.max(4, numel(shape) * 4) / 16) * 16;
}

// Read lazily: in Node the WebGPU globals exist only after the platform module installs them.
const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A pipeline still compiling (Gpu.deferCompiles); `pipeline` is set once it is done. */
export interface PendingPipeline {
  readonly label: string;
  readonly pipeline?: GPUComputePipeline;
  readonly done: Promise<GPUComputePipeline>;
}

/** What a kernel request gives: a compiled pipeline, or one still compiling. */
export type Kernel = GPUComputePipeline | PendingPipeline;

export const isPending = (k: Kernel): k is PendingPipeline => 'done' in k;

/**
 * The engine's handle on one GPU device: pipelines (cached), tensors (accounted), uploads and
 * readbacks. Dispatches are recorded into Programs (program.ts) and replayed, so nothing here is
 * on the per-step hot path except `write` of small uniforms and the asynchronous readbacks.
 */
export class Gpu {
  private readonly pipelines = new Map<string, Kernel>();
  /** Inside deferCompiles: the pending pipelines its build recorded. */
  private touched: PendingPipeline[] | null = null;
  private readonly stagingPool: GPUBuffer[] = [];
  /** Freed storage buffers by byte size, reused by the next tensor of that size. */
  private readonly pool = new Map<number, GPUBuffer[]>();
  private pooled = 0;
  private liveBytes = 0;
  private uniformLive = 0;
  private peak = 0;
  private lostHandlers: ((reason: string) => void)[] = [];
  private isLost = false;

  constructor(
    readonly device: GPUDevice,
    readonly info: GpuInfo,
    readonly limits: GpuLimits,
    readonly features: GpuFeatures,
  ) {
    this.parallelCompiles = info.platform === 'browser';
    void device.lost.then((lost) => {
      this.isLost = true;
      const reason = `${lost.reason}: ${lost.message}`;
      for (const h of this.lostHandlers) h(reason);
    });
  }

  /**
   * A CPU emulator (SwiftShader, llvmpipe, lavapipe): every invocation is a CPU loop iteration and
   * every barrier a context switch, so kernels pick narrow workgroups and register tiling here.
   */
  get cpuEmulated(): boolean {
    const i = this.info;
    return i.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`);
  }

  get lost(): boolean {
    return this.isLost;
  }

  /** Called once if the device is lost (driver reset, `destroy()`); the owner decides how to recover. */
  onLost(handler: (reason: string) => void): void {
    this.lostHandlers.push(handler);
  }

  get bytesAllocated(): number {
    return this.liveBytes;
  }

  /** The part of bytesAllocated that is recorded programs' uniforms (a few dozen bytes per dispatch). */
  get uniformBytesAllocated(): number {
    return this.uniformLive;
  }

  get peakBytesAllocated(): number {
    return this.peak;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  kernel(shader: string, entryPoint: string, opts: KernelOptions = {}): Kernel {
    const append = opts.append ?? [];
    const key = `${shader}:${entryPoint}:${JSON.stringify(opts.constants ?? {})}:${JSON.stringify(opts.defines ?? {})}:${append.join('+')}`;
    return this.pipeline(key, () => {
      // WGSL declarations are order-free at module scope, so an appended reader can follow its users.
      const code = [shaderSource(shader, opts.defines), ...append.map((name) => shaderSource(name))].join('\n');
      const module = this.device.createShaderModule({ label: [shader, ...append].join('+'), code });
      return { label: `${shader}.${entryPoint}`, layout: 'auto', compute: { module, entryPoint, constants: opts.constants } };
    });
  }

  /**
   * The pipeline cached under `key`, else created from `describe()`: at once, or, inside
   * deferCompiles where this platform compiles in parallel, started asynchronously and returned as
   * a PendingPipeline that Programs take once it is done. A recording outside deferCompiles never
   * gets a pending one: while another build's compile of the same pipeline is under way it
   * compiles its own at once (a forward pass recorded during the warm-up must run as soon as it is
   * submitted).
   */
  pipeline(key: string, describe: () => GPUComputePipelineDescriptor): Kernel {
    const have = this.pipelines.get(key);
    const deferring = this.touched !== null && this.parallelCompiles;
    if (have && !isPending(have)) return have;
    if (have?.pipeline) return have.pipeline;
    if (have && deferring) {
      this.touched!.push(have);
      return have;
    }
    const d = describe();
    if (!deferring) {
      const made = this.device.createComputePipeline(d);
      this.pipelines.set(key, made);
      return made;
    }
    const pending: { label: string; pipeline?: GPUComputePipeline; done: Promise<GPUComputePipeline> } = {
      label: d.label ?? key,
      done: this.device.createComputePipelineAsync(d).then(
        (made) => {
          pending.pipeline = made;
          if (this.pipelines.get(key) === pending) this.pipelines.set(key, made);
          return made;
        },
        (e: unknown) => {
          // Not cached: a later request compiles it again and meets the error itself.
          if (this.pipelines.get(key) === pending) this.pipelines.delete(key);
          throw e;
        },
      ),
    };
    // Awaited through deferCompiles' `compiled`; this keeps a failure from also surfacing as an unhandled rejection.
    pending.done.catch(() => undefined);
    this.pipelines.set(key, pending);
    this.touched!.push(pending);
    return pending;
  }

  /**
   * Whether deferred compiles run side by side here. Chromium hands asynchronous pipeline creation
   * to Dawn's worker threads, so a trainer's two dozen pipelines compile in parallel; Dawn in Node
   * has no worker pool and compiles them one after another, slower than synchronously (tests turn
   * it on there to run the deferred path).
   */
  parallelCompiles: boolean;

  /**
   * Runs `build` (which records Programs) with its new pipelines compiling in parallel. `compiled`
   * settles once every pipeline it recorded is ready (its own, and those another build had under
   * way), or with the first failure: run nothing it recorded before. Where compiles are not
   * parallel, build() as it is, and `compiled` is already settled.
   */
  deferCompiles<T>(build: () => T): { made: T; compiled: Promise<void> } {
    const outer = this.touched;
    const touched: PendingPipeline[] = [];
    this.touched = touched;
    try {
      const made = build();
      return { made, compiled: Promise.all(touched.map((p) => p.done)).then(() => undefined) };
    } finally {
      this.touched = outer;
      outer?.push(...touched);
    }
  }

  createTensor(shape: readonly number[], dtype: DType = 'f32', label = 'tensor'): Tensor {
    const bytes = Math.max(4, numel(shape) * 4);
    if (bytes > this.limits.maxStorageBindingBytes) {
      throw new GpuAllocationError(bytes, this.limits.maxStorageBindingBytes, `${label}[${shape.join('x')}]`);
    }
    const size = tensorBytes(shape);
    let buffer = this.pool.get(size)?.pop();
    if (buffer) {
      // Fresh WebGPU buffers are zeroed and the engine relies on it (optimiser moments); so do reused ones.
      this.pooled -= size;
      const enc = this.device.createCommandEncoder({ label: 'pool.clear' });
      enc.clearBuffer(buffer);
      this.device.queue.submit([enc.finish()]);
    } else {
      this.checkBudget(size, `${label}[${shape.join('x')}]`);
      buffer = this.device.createBuffer({ label, size, usage: storageUsage() });
    }
    this.liveBytes += size;
    this.peak = Math.max(this.peak, this.liveBytes);
    return { buffer, shape: [...shape], dtype, label };
  }

  /** Returns a tensor's buffer to the pool (bounded by POOL_BYTES; beyond that it is destroyed). */
  destroyTensor(t: Tensor): void {
    const size = t.buffer.size;
    this.liveBytes -= size;
    if (this.pooled + size > POOL_BYTES) {
      t.buffer.destroy();
      return;
    }
    const list = this.pool.get(size) ?? [];
    list.push(t.buffer);
    this.pool.set(size, list);
    this.pooled += size;
  }

  /** Refuses a new buffer past the memory budget, after giving the pool's idle buffers back first. */
  private checkBudget(size: number, what: string): void {
    const budget = this.limits.memoryBudgetBytes;
    if (budget === undefined) return;
    if (this.liveBytes + this.pooled + size > budget) this.trimPool();
    if (this.liveBytes + size > budget) throw new GpuAllocationError(size, budget, what, this.liveBytes);
  }

  /** Bytes held in the pool for reuse (not in use by any tensor). */
  get pooledBytes(): number {
    return this.pooled;
  }

  /** Gives pooled buffers back to the driver. */
  trimPool(): void {
    for (const list of this.pool.values()) for (const b of list) b.destroy();
    this.pool.clear();
    this.pooled = 0;
  }

  createUniform(data: ArrayBuffer, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, data);
    this.liveBytes += buffer.size;
    this.uniformLive += buffer.size;
    return buffer;
  }

  releaseUniform(b: GPUBuffer): void {
    this.liveBytes -= b.size;
    this.uniformLive -= b.size;
    b.destroy();
  }

  write(t: Tensor, data: Float32Array | Uint32Array | Int32Array, elementOffset = 0): void {
    if (elementOffset + data.length > numel(t.shape)) {
      throw new Error(`write of ${data.length} elements at ${elementOffset} overflows ${describe(t)}`);
    }
    this.device.queue.writeBuffer(t.buffer, elementOffset * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Reads tensors back in one submission. Only call off the hot path or every k steps. */
  async readMany(tensors: readonly Tensor[]): Promise<(Float32Array | Uint32Array | Int32Array)[]> {
    const encoder = this.device.createCommandEncoder({ label: 'readback' });
    const stagings = tensors.map((t) => {
      const bytes = numel(t.shape) * 4;
      const s = this.takeStaging(bytes);
      encoder.copyBufferToBuffer(t.buffer, 0, s, 0, Math.ceil(bytes / 4) * 4);
      return s;
    });
    this.device.queue.submit([encoder.finish()]);
    await settle(Promise.all(stagings.map((s) => s.mapAsync(GPUMapMode.READ))));
    return tensors.map((t, i) => {
      const s = stagings[i];
      const n = numel(t.shape);
      const copy = new ArrayBuffer(n * 4);
      new Uint8Array(copy).set(new Uint8Array(s.getMappedRange(0, n * 4)));
      s.unmap();
      this.stagingPool.push(s);
      return t.dtype === 'f32' ? new Float32Array(copy) : t.dtype === 'u32' ? new Uint32Array(copy) : new Int32Array(copy);
    });
  }

  async read(t: Tensor): Promise<Float32Array> {
    const [a] = await this.readMany([t]);
    return a instanceof Float32Array ? a : new Float32Array(a.buffer);
  }

  async readU32(t: Tensor): Promise<Uint32Array> {
    const [a] = await this.readMany([t]);
    return a instanceof Uint32Array ? a : new Uint32Array(a.buffer);
  }

  /**
   * Resolves validation or out-of-memory errors raised by the work inside `fn`. An async `fn` is
   * awaited before the scopes are popped, so the GPU calls it makes after an await are covered too.
   */
  async checked<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T;
    try {
      result = await fn();
    } finally {
      const validation = await settle(this.device.popErrorScope());
      const oom = await settle(this.device.popErrorScope());
      if (oom) throw new Error(`${what}: the GPU ran out of memory (${oom.message}). Use a shorter text, a smaller batch or a smaller model.`);
      if (validation) throw new Error(`${what}: ${validation.message}`);
    }
    return result;
  }

  async idle(): Promise<void> {
    await settle(this.device.queue.onSubmittedWorkDone());
  }

  destroy(): void {
    this.trimPool();
    for (const s of this.stagingPool) s.destroy();
    this.stagingPool.length = 0;
    this.device.destroy();
  }

  private takeStaging(bytes: number): GPUBuffer {
    const need = Math.max(16, Math.ceil(bytes / 16) * 16);
    const i = this.stagingPool.findIndex((b) => b.size >= need && b.size <= need * 4);
    if (i >= 0) return this.stagingPool.splice(i, 1)[0];
    return this.device.createBuffer({ label: 'staging', size: need, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }
}

/** Splits a 1-D count of workgroups into a 2-D grid within the per-dimension limit. */
export function grid(workgroups: number, maxPerDim = 65535): [number, number, number] {
  if (workgroups <= maxPerDim) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / maxPerDim);
  return [Math.ceil(workgroups / y), y, 1];
}
