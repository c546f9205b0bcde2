// Weight reader, f16 storage: IEEE halves of x · 2^8 (so that no F16 checkpoint value is stored
// as a subnormal: src/model/weight-format.ts), two per u32, element 2j in the low half of word j.
// Widened by integer arithmetic (shaders/common/half.wgsl, appended with this file), so it runs on
// adapters without the shader-f16 feature; every product accumulates in f32. See weights/f32.wgsl
// for w1 / w4.

const F16_WIDEN = 2.028240960365167e31;  // 2^104: widens and undoes the 2^8 in one multiply

@group(0) @binding(2) var<storage, read> W: array<u32>;

fn w1(i: u32) -> f32 {
  return half1(W[i >> 1u] >> (16u * (i & 1u)), F16_WIDEN);
}

fn w4(i4: u32) -> vec4<f32> {
  return half4(W[2u * i4], W[2u * i4 + 1u], F16_WIDEN);
}
