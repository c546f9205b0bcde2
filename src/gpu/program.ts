import { isPending, type Gpu, type Kernel } from './gpu.ts';
import type { Tensor } from './tensor.ts';

/**
 * A recorded list of GPU work (dispatches and buffer copies) with its bind groups and uniform
 * buffers created once. A training step is a Program replayed every step: encoding it costs a
 * loop over prepared objects, it is one queue submission, and no GPU object is created after
 * the first step.
 *
 * Binding convention for every kernel in shaders/: @binding(0) is the params uniform, storage
 * buffers follow at 1, 2, ... Each shader's numbers and Params fields are declared once, in
 * src/ops/signatures.ts; op wrappers pack and bind through them (packFor, bindFor in
 * kernel-signature.ts). An entry point must use every binding its wrapper passes (the pipeline
 * layout is derived from the shader).
 */
export interface DispatchSpec {
  label: string;
  /** Compiled, or still compiling (recorded inside Gpu.deferCompiles): then bound at the first encode after it is done. */
  pipeline: Kernel;
  /** Uniform params packed by packFor; bound at @binding(0). */
  params: ArrayBuffer;
  /** Storage buffers by binding number (1, 2, ...), as bindFor maps them from WGSL names. */
  buffers: Record<number, Tensor | GPUBuffer>;
  workgroups: readonly [number, number?, number?];
}

type Dispatch = { kind: 'dispatch'; label: string; kernel: Kernel; entries: GPUBindGroupEntry[]; pipeline?: GPUComputePipeline; bindGroup?: GPUBindGroup; workgroups: [number, number, number] };
type Item =
  | Dispatch
  | { kind: 'copy'; label: string; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; bytes: number }
  | { kind: 'clear'; label: string; dst: GPUBuffer };

export class Program {
  private readonly items: Item[] = [];
  private readonly uniforms: GPUBuffer[] = [];

  constructor(
    readonly gpu: Gpu,
    readonly label: string,
  ) {}

  get dispatchCount(): number {
    return this.items.filter((i) => i.kind === 'dispatch').length;
  }

  get labels(): string[] {
    return this.items.map((i) => i.label);
  }

  dispatch(spec: DispatchSpec): void {
    const [x, y = 1, z = 1] = spec.workgroups;
    if (x === 0 || y === 0 || z === 0) return; // empty work (a zero-sized tensor) is legal and skipped
    const max = this.gpu.limits.maxWorkgroupsPerDimension;
    if (x > max || y > max || z > max) throw new Error(`${spec.label}: grid ${x}x${y}x${z} exceeds ${max} workgroups per dimension`);
    const uniform = this.gpu.createUniform(spec.params, `${spec.label}.params`);
    this.uniforms.push(uniform);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform } }];
    for (const [binding, b] of Object.entries(spec.buffers)) {
      const buffer = 'buffer' in b ? b.buffer : b;
      entries.push({ binding: Number(binding), resource: { buffer } });
    }
    const item: Dispatch = { kind: 'dispatch', label: spec.label, kernel: spec.pipeline, entries, workgroups: [x, y, z] };
    this.bind(item);
    this.items.push(item);
  }

  /** Creates the dispatch's bind group once its pipeline exists (a pending one: at the first encode after it compiled). */
  private bind(item: Dispatch): boolean {
    if (item.bindGroup) return true;
    const pipeline = isPending(item.kernel) ? item.kernel.pipeline : item.kernel;
    if (!pipeline) return false;
    item.pipeline = pipeline;
    item.bindGroup = this.gpu.device.createBindGroup({ label: item.label, layout: pipeline.getBindGroupLayout(0), entries: item.entries });
    return true;
  }

  copy(label: string, src: Tensor, dst: Tensor, bytes = src.buffer.size, srcOffset = 0, dstOffset = 0): void {
    this.items.push({ kind: 'copy', label, src: src.buffer, srcOffset, dst: dst.buffer, dstOffset, bytes });
  }

  /** Zeroes a whole tensor (gradient accumulators before a backward pass). */
  clear(label: string, t: Tensor): void {
    this.items.push({ kind: 'clear', label, dst: t.buffer });
  }

  /** Appends another program's work (its objects stay owned by that program). */
  append(other: Program): void {
    this.items.push(...other.items);
  }

  /**
   * Encodes everything into `encoder`, one compute pass per run of dispatches. With `timestamps`,
   * each dispatch gets its own pass with begin/end timestamps at query 2i, 2i+1 (for profiling).
   */
  encode(encoder: GPUCommandEncoder, timestamps?: GPUQuerySet): void {
    let pass: GPUComputePassEncoder | null = null;
    let q = 0;
    for (const item of this.items) {
      if (item.kind !== 'dispatch') {
        pass?.end();
        pass = null;
        if (item.kind === 'copy') encoder.copyBufferToBuffer(item.src, item.srcOffset, item.dst, item.dstOffset, item.bytes);
        else encoder.clearBuffer(item.dst);
        continue;
      }
      if (timestamps) {
        pass = encoder.beginComputePass({ label: item.label, timestampWrites: { querySet: timestamps, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 } });
        q += 2;
      } else if (!pass) {
        pass = encoder.beginComputePass({ label: this.label });
      }
      if (!this.bind(item)) throw new Error(`${item.label}: its pipeline is still compiling; await the compiled promise of gpu.deferCompiles before running what it recorded.`);
      pass.setPipeline(item.pipeline!);
      pass.setBindGroup(0, item.bindGroup!);
      pass.dispatchWorkgroups(...item.workgroups);
      if (timestamps) {
        pass.end();
        pass = null;
      }
    }
    pass?.end();
  }

  /** Encodes and submits in one submission; does not wait. */
  run(): void {
    const encoder = this.gpu.device.createCommandEncoder({ label: this.label });
    this.encode(encoder);
    this.gpu.device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    for (const u of this.uniforms) this.gpu.releaseUniform(u);
    this.uniforms.length = 0;
    this.items.length = 0;
  }
}
