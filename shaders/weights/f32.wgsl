// Weight reader, f32 storage (src/model/weight-format.ts has the layouts of every format).
//
// Every kernel that reads a frozen weight matrix does so through two functions, and the engine
// appends one of these files to the kernel's source (Gpu.kernel's `weights` option):
//   w1(i)  -> f32        element i of the matrix (i = row · ld + column)
//   w4(i4) -> vec4<f32>  elements 4·i4 .. 4·i4 + 3, which lie in one row (ld and the row's column
//                        offset are multiples of 4 wherever a kernel calls it)
// The data is @binding(2) of every such kernel; quantized formats add their scales at @binding(6).
// Here both are plain loads: this file is what the kernels were before formats existed.

@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> W4: array<vec4<f32>>;

fn w1(i: u32) -> f32 {
  return W[i];
}

fn w4(i4: u32) -> vec4<f32> {
  return W4[i4];
}
