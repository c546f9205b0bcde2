// matmul: C = A · op(B) (+ bias) (+ C when accumulating)
//
// The model's linear layers are y = x·Wᵀ + b with W stored as Hugging Face does, [out, in] row-major.
// Weights are frozen, so the only backward product is the input gradient dx = dy·W. Both are this
// kernel:
//   forward  (transpose_b = 1):  A = x  [M, K],   B = W [N, K],  C = y  [M, N]
//   backward (transpose_b = 0):  A = dy [M, K'],  B = W [K', N], C = dx [M, N] (usually accumulated)
// All tensors are row-major f32 with explicit row strides (lda, ldb, ldc) and element offsets, so
// a column block of C (one vocabulary chunk of the logits, the q/k/v part of a fused projection)
// can be written in place. Weights larger than one storage binding are split by rows into chunks;
// the caller issues one dispatch per chunk with the matching offsets.
//
// Tiling: each invocation computes a TM x TN = 4 x 4 block of C in registers; a workgroup of
// WG_X x WG_Y invocations covers (4·WG_Y) rows x (4·WG_X) columns. No workgroup memory: on CPU
// emulators register tiling wins (WEBGPU.md); workgroup-memory tiling for real GPUs is a variant.
// Out-of-range rows and columns are clamped on load and skipped on store, so any M, N, K work.

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
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

override WG_X: u32 = 8;
override WG_Y: u32 = 8;

fn b_at(k: u32, n: u32) -> f32 {
  if (p.transpose_b == 1u) { return B[p.b_offset + n * p.ldb + k]; }
  return B[p.b_offset + k * p.ldb + n];
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
