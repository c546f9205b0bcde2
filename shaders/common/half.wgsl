// IEEE half -> f32 by integer arithmetic, for the weight readers (shaders/weights/*.wgsl).
//
// Why not unpack2x16float: SwiftShader, the adapter of every GPU-less machine, converts with a long
// software sequence (measured: f16 weights 25 % slower than f32 on the Pythia-160M qkv product).
// Here each half is first put in the top 16 bits of a word, as a bfloat16 is (x << 16 for the low
// half of a word, x & 0xffff0000 for the high one). An arithmetic shift right by 3 then moves its
// 15 magnitude bits under an f32's exponent and mantissa; the sign, copied into the 3 bits it
// passes, is kept only at bit 31. Multiplying by 2^112 rebiases the exponent from 15 to 127.
// Exact for every finite normal half and zero. A subnormal half would pass through an f32
// subnormal, which adapters may flush to zero (SwiftShader does), so none is ever stored: see
// "No subnormal" in src/model/weight-format.ts, which also stores f16 weights times 2^8 (undone by
// weights/f16.wgsl). Infinities and NaN are not decoded: the encoder refuses values outside the
// range, and the loader refuses non-finite weights.

// Multiplier that widens a half placed as below to its own value (2^(127 - 15)). A reader that
// stores halves of x · 2^k passes 2^(112 - k) instead and gets x in the same multiply.
const HALF_WIDEN = 5.192296858534828e33;

// Halves held in the top 16 bits of each lane -> f32, times `widen` / 2^112.
fn half_top4(x: vec4<u32>, widen: f32) -> vec4<f32> {
  let bits = bitcast<vec4<u32>>(bitcast<vec4<i32>>(x) >> vec4<u32>(3u)) & vec4<u32>(0x8fffffffu);
  return bitcast<vec4<f32>>(bits) * widen;
}

// Four halves from two words (the low half of each word first).
fn half4(lo: u32, hi: u32, widen: f32) -> vec4<f32> {
  return half_top4(vec4<u32>(lo << 16u, lo & 0xffff0000u, hi << 16u, hi & 0xffff0000u), widen);
}

// The half in the low 16 bits of h.
fn half1(h: u32, widen: f32) -> f32 {
  let bits = bitcast<u32>(bitcast<i32>(h << 16u) >> 3u) & 0x8fffffffu;
  return bitcast<f32>(bits) * widen;
}
