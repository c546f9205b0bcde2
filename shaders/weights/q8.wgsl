// Weight reader, q8 storage: value = d · q, q an int8 (four per u32, element 4j + t in byte t of
// word j), d an f16 scale shared by a group of 32 consecutive elements of a row (group g = i / 32;
// scales two per u32, group g in the low half of word g / 2 when g is even). Rows are padded to a
// multiple of 64 elements, so a group never straddles rows and w4's four elements share one scale.
// Dequantizing is exact in f32 (an int times an f16); products accumulate in f32.
// See weights/f32.wgsl for w1 / w4.

@group(0) @binding(2) var<storage, read> W: array<u32>;
@group(0) @binding(6) var<storage, read> W_scales: array<u32>;

// The group's f16 scale, widened by shaders/common/half.wgsl (appended with this file).
fn group_scale(g: u32) -> f32 {
  return half1(W_scales[g >> 1u] >> (16u * (g & 1u)), HALF_WIDEN);
}

fn w1(i: u32) -> f32 {
  // Shift byte i & 3 to the top, then an arithmetic shift back sign-extends it.
  let q = bitcast<i32>(W[i >> 2u] << (24u - 8u * (i & 3u))) >> 24u;
  return f32(q) * group_scale(i >> 5u);
}

fn w4(i4: u32) -> vec4<f32> {
  let x = W[i4];
  let q = bitcast<vec4<i32>>(vec4<u32>(x << 24u, x << 16u, x << 8u, x)) >> vec4<u32>(24u);
  return vec4<f32>(q) * group_scale(i4 >> 3u);
}
