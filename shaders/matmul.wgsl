// matmul: C = A · op(B) (+ bias) (+ C when accumulating)
//
// The model's linear layers are y = x·Wᵀ + b with W stored as Hugging Face does, [out, in] row-major.
// Weights are frozen, so the only backward product is the input gradient dx = dy·W. Both are this
// kernel:
//   forward  (transpose_b = 1):  A = x  [M, K],   B = W [N, K],  C = y  [M, N]
//   backward (transpose_b = 0):  A = dy [M, K'],  B = W [K', N], C = dx [M, N] (usually accumulated)
// B is the weight. It is read only through w1 / w4, which the reader of its storage format
// defines (shaders/weights/*.wgsl, appended to this file; a plain f32 tensor uses weights/f32.wgsl),
// and it is never written. A, bias and C are f32. All tensors are row-major with explicit row
// strides (lda, ldb, ldc) and element offsets, so a column block of C (one vocabulary chunk of the logits, the q/k/v part of a fused projection)
// can be written in place. Weights larger than one storage binding are split by rows into chunks;
// the caller issues one dispatch per chunk with the matching offsets.
//
// Tiling: each invocation computes a TM x TN = 4 x 4 block of C in registers; a workgroup of
// WG_X x WG_Y invocations covers (4·WG_Y) rows x (4·WG_X) columns. No workgroup memory: on CPU
// emulators register tiling wins (WEBGPU.md); workgroup-memory tiling for real GPUs is a variant.
// Out-of-range rows and columns are clamped on load and skipped on store, so any M, N, K work.
//
// Entry points:
//   matmul          any shapes and strides, scalar loads (the reference path)
//   matmul_nt_vec4  transpose_b = 1 with K, lda, ldb and the A/B offsets multiples of 4: both
//                   operands are read as vec4 along K, 16 dot products per 8 loads
//   matmul_nn_vec4  transpose_b = 0 with N, K, lda, ldb and the A/B offsets multiples of 4: four
//                   A values and four vec4 rows of B per step of 4 along K
// Every storage access is bounds-checked by WebGPU, so on emulators the number of loads, not the
// arithmetic, sets the speed: the vec4 paths load 4x fewer times. The wrapper picks the path.

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_offset: u32, b_offset: u32, c_offset: u32,
  transpose_b: u32,  // 1: B is [N, K]; 0: B is [K, N]
  accumulate: u32,   // 1: C += A·op(B)
  has_bias: u32,     // 1: add bias[bias_offset + n]
  bias_offset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

override WG_X: u32 = 8;
override WG_Y: u32 = 8;

fn b_at(k: u32, n: u32) -> f32 {
  if (p.transpose_b == 1u) { return w1(p.b_offset + n * p.ldb + k); }
  return w1(p.b_offset + k * p.ldb + n);
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn matmul(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wg.y * WG_Y + lid.y) * 4u;
  let col0 = (wg.x * WG_X + lid.x) * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }

  // Clamp indices so loads stay in bounds; the clamped lanes are never stored.
  var r: array<u32, 4>;
  var c: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    r[i] = min(row0 + i, p.M - 1u);
    c[i] = min(col0 + i, p.N - 1u);
  }
  var acc: array<array<f32, 4>, 4>;
  for (var k = 0u; k < p.K; k++) {
    var a: array<f32, 4>;
    var b: array<f32, 4>;
    for (var i = 0u; i < 4u; i++) {
      a[i] = A[p.a_offset + r[i] * p.lda + k];
      b[i] = b_at(k, c[i]);
    }
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        acc[i][j] = fma(a[i], b[j], acc[i][j]);
      }
    }
  }
  for (var i = 0u; i < 4u; i++) {
    if (row0 + i >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (col0 + j >= p.N) { break; }
      var v = acc[i][j];
      if (p.has_bias == 1u) { v += bias[p.bias_offset + col0 + j]; }
      let idx = p.c_offset + (row0 + i) * p.ldc + col0 + j;
      if (p.accumulate == 1u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}

// ---- vec4 paths (same Params; A viewed as a vec4 array, B read four elements at a time; offsets and strides in elements) ----

@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;

fn store_tile(row0: u32, col0: u32, acc: array<vec4<f32>, 4>) {
  for (var i = 0u; i < 4u; i++) {
    if (row0 + i >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (col0 + j >= p.N) { break; }
      var v = acc[i][j];
      if (p.has_bias == 1u) { v += bias[p.bias_offset + col0 + j]; }
      let idx = p.c_offset + (row0 + i) * p.ldc + col0 + j;
      if (p.accumulate == 1u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn matmul_nt_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wg.y * WG_Y + lid.y) * 4u;
  let col0 = (wg.x * WG_X + lid.x) * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  let a0 = (p.a_offset + min(row0, p.M - 1u) * p.lda) / 4u;
  let a1 = (p.a_offset + min(row0 + 1u, p.M - 1u) * p.lda) / 4u;
  let a2 = (p.a_offset + min(row0 + 2u, p.M - 1u) * p.lda) / 4u;
  let a3 = (p.a_offset + min(row0 + 3u, p.M - 1u) * p.lda) / 4u;
  let b0 = (p.b_offset + min(col0, p.N - 1u) * p.ldb) / 4u;
  let b1 = (p.b_offset + min(col0 + 1u, p.N - 1u) * p.ldb) / 4u;
  let b2 = (p.b_offset + min(col0 + 2u, p.N - 1u) * p.ldb) / 4u;
  let b3 = (p.b_offset + min(col0 + 3u, p.N - 1u) * p.ldb) / 4u;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k = 0u; k < p.K / 4u; k++) {
    let x0 = A4[a0 + k]; let x1 = A4[a1 + k]; let x2 = A4[a2 + k]; let x3 = A4[a3 + k];
    let y0 = w4(b0 + k); let y1 = w4(b1 + k); let y2 = w4(b2 + k); let y3 = w4(b3 + k);
    acc[0] += vec4<f32>(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3));
    acc[1] += vec4<f32>(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3));
    acc[2] += vec4<f32>(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3));
    acc[3] += vec4<f32>(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3));
  }
  store_tile(row0, col0, acc);
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn matmul_nn_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wg.y * WG_Y + lid.y) * 4u;
  let col0 = (wg.x * WG_X + lid.x) * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  let a0 = (p.a_offset + min(row0, p.M - 1u) * p.lda) / 4u;
  let a1 = (p.a_offset + min(row0 + 1u, p.M - 1u) * p.lda) / 4u;
  let a2 = (p.a_offset + min(row0 + 2u, p.M - 1u) * p.lda) / 4u;
  let a3 = (p.a_offset + min(row0 + 3u, p.M - 1u) * p.lda) / 4u;
  let bstride = p.ldb / 4u;
  let bcol = (p.b_offset + col0) / 4u;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k = 0u; k < p.K / 4u; k++) {
    let x0 = A4[a0 + k]; let x1 = A4[a1 + k]; let x2 = A4[a2 + k]; let x3 = A4[a3 + k];
    let base = bcol + 4u * k * bstride;
    let y0 = w4(base); let y1 = w4(base + bstride); let y2 = w4(base + 2u * bstride); let y3 = w4(base + 3u * bstride);
    acc[0] += x0.x * y0 + x0.y * y1 + x0.z * y2 + x0.w * y3;
    acc[1] += x1.x * y0 + x1.y * y1 + x1.z * y2 + x1.w * y3;
    acc[2] += x2.x * y0 + x2.y * y1 + x2.z * y2 + x2.w * y3;
    acc[3] += x3.x * y0 + x3.y * y1 + x3.z * y2 + x3.w * y3;
  }
  store_tile(row0, col0, acc);
}
