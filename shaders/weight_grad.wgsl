// weight_grad: the weight and bias gradients of a trainable linear layer y = x·W + b (W [K, N]).
//
// The frozen model's matmul.wgsl only ever needs dx = dy·W. A layer that learns also needs
//   dW = xᵀ·dy   and   db = Σ_rows dy,
// reductions over the batch M (small: 1..256) into outputs as large as the weight (K, N up to a few
// thousand). matmul.wgsl would need xᵀ materialised for the first; this file reads x as it is.
//
// Entry points:
//   weight_grad  C[k, n] (=, or += with accumulate) Σ_{m<M} A[m, k] · B[m, n]        (C = Aᵀ·B)
//                A [M, K] at A[a_off + m·lda + k]   (x)
//                B [M, N] at B[b_off + m·ldb + n]   (dy)
//                C [K, N] at C[c_off + k·ldc + n]   (dW)
//   weight_grad_vec4  weight_grad where K, N, lda, ldb, a_off and b_off are multiples of 4: A's
//                and B's four values per m are one vec4 load each (2 loads per 16 FMAs, not 8).
//                Every storage access is bounds-checked, so on emulators loads set the speed
//                (WEBGPU.md): measured 3-5x faster on SwiftShader (M, K, N = 256, 512, 512:
//                0.19 s against 0.94 s). The wrapper picks it.
//   column_sum   C[c_off + n] (=, or +=) Σ_{m<M} B[b_off + m·ldb + n]                 (db)
// All row-major f32 with explicit row strides and element offsets, so a gradient can go into a
// block of a larger parameter buffer (the rest of which is never written). M = 0 gives a zero sum.
//
// Tiling (weight_grad): each invocation keeps a 4 x 4 block of C in registers (4 consecutive k by
// 4 consecutive n); per m it loads 4 values of A's row and 4 of B's row (both contiguous) for 16
// FMAs. A workgroup of WG_X x WG_Y invocations covers (4·WG_Y) k x (4·WG_X) n. No workgroup
// memory, as in matmul.wgsl: on CPU emulators register tiling beats shared-memory tiles
// (WEBGPU.md). Out-of-range k and n are clamped on load and skipped on store, so any K, N work.
// column_sum: one invocation per n, WG per workgroup, flat index over a 2-D grid (see
// activations.wgsl) so N may exceed 65535·WG.
//
// Bindings: 1 A (weight_grad) or A4 (weight_grad_vec4; none in column_sum), 2 B or B4, 3 C.

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, b_off: u32, c_off: u32,
  accumulate: u32,  // 1: C += the sum; 0: C = the sum
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override WG: u32 = 64;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn weight_grad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let k0 = (wg.y * WG_Y + lid.y) * 4u;
  let n0 = (wg.x * WG_X + lid.x) * 4u;
  if (k0 >= p.K || n0 >= p.N) { return; }

  // Clamped columns so every load is in bounds; the clamped lanes are never stored.
  var ka: array<u32, 4>;
  var nb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    ka[i] = p.a_off + min(k0 + i, p.K - 1u);
    nb[i] = p.b_off + min(n0 + i, p.N - 1u);
  }
  var acc: array<array<f32, 4>, 4>;
  for (var m = 0u; m < p.M; m++) {
    var a: array<f32, 4>;
    var b: array<f32, 4>;
    for (var i = 0u; i < 4u; i++) {
      a[i] = A[ka[i] + m * p.lda];
      b[i] = B[nb[i] + m * p.ldb];
    }
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        acc[i][j] = fma(a[i], b[j], acc[i][j]);
      }
    }
  }
  for (var i = 0u; i < 4u; i++) {
    if (k0 + i >= p.K) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j >= p.N) { break; }
      let idx = p.c_off + (k0 + i) * p.ldc + n0 + j;
      var v = acc[i][j];
      if (p.accumulate == 1u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}

// ---- vec4 path (same Params, offsets and strides still in elements) ----

@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn weight_grad_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let k0 = (wg.y * WG_Y + lid.y) * 4u;
  let n0 = (wg.x * WG_X + lid.x) * 4u;
  if (k0 >= p.K || n0 >= p.N) { return; }
  // K and N are multiples of 4, so a block is never partly outside C: no clamping.
  let a_row = p.lda / 4u;
  let b_row = p.ldb / 4u;
  var ai = (p.a_off + k0) / 4u;
  var bi = (p.b_off + n0) / 4u;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var m = 0u; m < p.M; m++) {
    let a = A4[ai];
    let b = B4[bi];
    acc[0] = fma(vec4<f32>(a.x), b, acc[0]);
    acc[1] = fma(vec4<f32>(a.y), b, acc[1]);
    acc[2] = fma(vec4<f32>(a.z), b, acc[2]);
    acc[3] = fma(vec4<f32>(a.w), b, acc[3]);
    ai += a_row;
    bi += b_row;
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let idx = p.c_off + (k0 + i) * p.ldc + n0 + j;
      var v = acc[i][j];
      if (p.accumulate == 1u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}

@compute @workgroup_size(WG)
fn column_sum(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = (wg.y * nwg.x + wg.x) * WG + lid.x;
  if (n >= p.N) { return; }
  var s = 0.0;
  for (var m = 0u; m < p.M; m++) { s += B[p.b_off + m * p.ldb + n]; }
  let idx = p.c_off + n;
  if (p.accumulate == 1u) { s += C[idx]; }
  C[idx] = s;
}
