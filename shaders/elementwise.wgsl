// elementwise: residual adds, gradient accumulation and scaling over n flat f32 elements.
//
//   add            out = a + b      (out aliases neither input: WebGPU forbids binding one buffer
//                                    as read and read_write in the same dispatch)
//   add_in_place   dst += src
//   scale          dst = s·src
//
// These ops are their own backward passes: the gradient of out = a + b reaches both a and b
// unchanged (the engine accumulates it into each with add_in_place), and the gradient of
// dst = s·src is scale of the upstream gradient by the same s.
//
// One invocation per element, WG per workgroup, over a 2-D grid so n may exceed 65535·WG:
// i = (wg.y·nwg.x + wg.x)·WG + lid.
//
// Bindings: add 1 a, 2 b, 3 out;  add_in_place 1 dst, 2 src;  scale 1 src, 2 dst.

struct Params {
  n: u32,
  s: f32,  // scale only
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> sum_out: array<f32>;

@group(0) @binding(1) var<storage, read_write> acc_dst: array<f32>;
@group(0) @binding(2) var<storage, read> acc_src: array<f32>;

@group(0) @binding(1) var<storage, read> scale_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> scale_dst: array<f32>;

override WG: u32 = 256;

fn flat_index(wg: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  sum_out[i] = a[i] + b[i];
}

@compute @workgroup_size(WG)
fn add_in_place(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  acc_dst[i] += acc_src[i];
}

@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  scale_dst[i] = scale_src[i] * p.s;
}
