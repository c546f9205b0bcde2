// Weight reader, bf16 storage: bfloat16 values (the top 16 bits of an f32), two per u32, element
// 2j in the low half of word j. Widening is a shift into the top half and a bitcast: exact, and
// core WGSL. See weights/f32.wgsl for w1 / w4.

@group(0) @binding(2) var<storage, read> W: array<u32>;

fn bf16_pair(x: u32) -> vec2<f32> {
  return vec2<f32>(bitcast<f32>(x << 16u), bitcast<f32>(x & 0xffff0000u));
}

fn w1(i: u32) -> f32 {
  return bf16_pair(W[i >> 1u])[i & 1u];
}

fn w4(i4: u32) -> vec4<f32> {
  return vec4<f32>(bf16_pair(W[2u * i4]), bf16_pair(W[2u * i4 + 1u]));
}
