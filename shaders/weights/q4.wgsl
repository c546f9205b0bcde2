// Weight reader, q4 storage (the GGUF Q4_0 idea): value = d · (q − 8), q a 4-bit code (eight per
// u32, element 8j + t in bits 4t .. 4t + 3 of word j), d an f16 scale per group of 32 consecutive
// elements of a row, stored as in weights/q8.wgsl. Rows are padded to a multiple of 64 elements.
// See weights/f32.wgsl for w1 / w4.

@group(0) @binding(2) var<storage, read> W: array<u32>;
@group(0) @binding(6) var<storage, read> W_scales: array<u32>;

// The group's f16 scale, widened by shaders/common/half.wgsl (appended with this file).
fn group_scale(g: u32) -> f32 {
  return half1(W_scales[g >> 1u] >> (16u * (g & 1u)), HALF_WIDEN);
}

fn w1(i: u32) -> f32 {
  let q = (W[i >> 3u] >> (4u * (i & 7u))) & 15u;
  return (f32(q) - 8.0) * group_scale(i >> 5u);
}

fn w4(i4: u32) -> vec4<f32> {
  // Four codes are 16 bits: the low or high half of word i4 / 2.
  let x = W[i4 >> 1u] >> (16u * (i4 & 1u));
  let q = (vec4<u32>(x, x >> 4u, x >> 8u, x >> 12u) & vec4<u32>(15u));
  return (vec4<f32>(q) - vec4<f32>(8.0)) * group_scale(i4 >> 3u);
}
