/**
 * Test-only module worker: proves a dedicated Web Worker can get a WebGPU device and run a
 * compute shader in this browser, which is how the engine will run. Served straight from e2e/
 * by the Vite dev server; nothing in the app imports it.
 */

export interface ComputeRequest {
  n: number;
}

export type ComputeReply =
  | { ok: true; vendor: string; architecture: string; isFallbackAdapter: boolean; output: number[] }
  | { ok: false; error: string };

// out[i] = in[i] * 2 + i, with a loop long enough to be real work on a CPU emulator.
const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= arrayLength(&src)) { return; }
  var acc = 0.0;
  for (var k = 0u; k < 1000u; k++) { acc += src[i] * 0.002; }
  dst[i] = acc + f32(i);
}`;

async function compute(n: number): Promise<ComputeReply> {
  const gpu = (self.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { ok: false, error: 'navigator.gpu is missing inside the worker' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { ok: false, error: 'no adapter inside the worker' };
  const device = await adapter.requestDevice();
  try {
    const input = Float32Array.from({ length: n }, (_, i) => i % 17);
    const src = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const dst = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const readback = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(src, 0, input);
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' } });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: src } },
        { binding: 1, resource: { buffer: dst } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    encoder.copyBufferToBuffer(dst, 0, readback, 0, input.byteLength);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const output = Array.from(new Float32Array(readback.getMappedRange().slice(0)));
    readback.unmap();
    const { vendor, architecture, isFallbackAdapter } = adapter.info;
    return { ok: true, vendor, architecture, isFallbackAdapter: isFallbackAdapter === true, output };
  } finally {
    device.destroy();
  }
}

self.onmessage = (event: MessageEvent<ComputeRequest>) => {
  compute(event.data.n).then(
    (reply) => self.postMessage(reply),
    (err: unknown) => self.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ComputeReply),
  );
};
