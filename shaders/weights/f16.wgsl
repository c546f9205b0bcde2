// Weight reader, f16 storage: IEEE halves, two per u32, element 2j in the low half of word j.
// unpack2x16float is core WGSL, so this runs on adapters without the shader-f16 feature; the
// values widen exactly and every product accumulates in f32. See weights/f32.wgsl for w1 / w4.

@group(0) @binding(2) var<storage, read> W: array<u32>;

fn w1(i: u32) -> f32 {
  return unpack2x16float(W[i >> 1u])[i & 1u];
}

fn w4(i4: u32) -> vec4<f32> {
  return vec4<f32>(unpack2x16float(W[2u * i4]), unpack2x16float(W[2u * i4 + 1u]));
}
