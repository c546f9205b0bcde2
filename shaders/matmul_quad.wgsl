enable subgroups;

// matmul_quad: the vec4 matmul paths of matmul.wgsl (same Params, same bindings, same results;
// the weight B is read through w4 of its format's reader, shaders/weights/*.wgsl),
// with the four invocations of a quad sharing their loads through quad swaps.
//
// Why: on CPU emulators (SwiftShader runs a quad as one 4-wide SIMD group) every storage load is a
// bounds-checked gather, one per vec4 component, and loads, not arithmetic, set the speed. In
// matmul_nt_vec4 an invocation loads 4 rows of A and 4 rows of B per step of 4 along K for its
// 4 x 4 block: 8 vec4 loads for 16 dot products. Here a quad computes an 8 x 8 block; each
// invocation loads half of what it needs (2 A rows, 2 B rows) and takes the other half from its
// neighbour with quadSwapX / quadSwapY (register shuffles): 4 vec4 loads for 16 dot products.
// Measured on SwiftShader: 1.5-1.7x less CPU time than matmul_nt_vec4 at the model's shapes.
//
// Quad layout. Invocation q = 2a + b of a quad computes rows 4a..4a+3 and columns 4b..4b+3 of
// the quad's 8 x 8 block. quadSwapX pairs q with q ^ 1 (same a), quadSwapY pairs q with q ^ 2
// (same b). So for the rows it needs, q loads rows 4a + 2b, +1 and gets 4a + 2(1-b), +1 from its
// X partner; for the B side it loads 2 of the 4 rows of B its columns (nt) or its K steps (nn)
// need and gets the other 2 from its Y partner.
//
// The quad an invocation belongs to is taken to be local_invocation_index / 4 (a 1-D workgroup
// of 4·QUADS invocations), which holds on the emulators this file is chosen for (src/ops/matmul.ts);
// on other adapters matmul.wgsl runs. No invocation returns before the loop: quad operations
// need all four members; out-of-range rows and columns are clamped on load and skipped on store.
//
// Workgroup: QUADS quads as QY x QX (QX = QUADS / QY), covering 8·QY rows x 8·QX columns.
//
// Entry points (same preconditions as their matmul.wgsl counterparts):
//   matmul_nt_quad  transpose_b = 1, K, lda, ldb and the A/B offsets multiples of 4
//   matmul_nn_quad  transpose_b = 0, also N a multiple of 4
//   matmul_nt_quad_v4 / matmul_nn_quad_v4: the same products, stored as one vec4 per output row of
//                   an invocation's 4 x 4 block. They also need N, ldc and c_offset multiples of 4.
//                   Why: each scalar store is a 4-lane bounds-checked scatter on the emulator, so
//                   at small K (d = 64: 16 steps of 4 per block) the 16 stores cost about as much
//                   as the loop; 4 vec4 stores cut that to a quarter.
//   swiglu_up_quad / swiglu_down_bwd_quad: the SwiGLU MLP's two matmuls with the activation fused
//                   into their epilogue (below), saving its two elementwise dispatches per layer.

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_offset: u32, b_offset: u32, c_offset: u32,
  transpose_b: u32,
  accumulate: u32,
  has_bias: u32,
  bias_offset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
// The same binding seen as vec4 by the _v4 entry points (no entry point uses both).
@group(0) @binding(4) var<storage, read_write> C4: array<vec4<f32>>;

override QX: u32 = 4u;
// Quads per workgroup (a power of two, 1 to 16): fewer for small products, so that they still split
// into enough workgroups to keep every core of a CPU emulator busy (src/ops/matmul.ts, quadGrid).
override QUADS: u32 = 16u;
// The epilogue's options as pipeline constants (they mirror p.has_bias and p.accumulate): emulators
// run both sides of a branch they cannot prove uniform, so the store loop is specialised instead.
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

struct Quad {
  row0: u32,  // first row of the quad's block
  col0: u32,  // first column of the quad's block
  a: u32,     // which 4 rows of the block this invocation computes
  b: u32,     // which 4 columns
}

fn quad_of(wg: vec3<u32>, li: u32) -> Quad {
  let quad = li >> 2u;
  let q = li & 3u;
  let qy = QUADS / QX;
  return Quad((wg.y * qy + quad / QX) * 8u, (wg.x * QX + quad % QX) * 8u, q >> 1u, q & 1u);
}

// A's row `r`, as a vec4 index at the start of K (clamped into range).
fn a_row(r: u32) -> u32 {
  return (p.a_offset + min(r, p.M - 1u) * p.lda) / 4u;
}

fn store(r: u32, c: u32, value: f32) {
  if (r >= p.M || c >= p.N) { return; }
  var v = value;
  if (HAS_BIAS) { v += bias[p.bias_offset + c]; }
  let idx = p.c_offset + r * p.ldc + c;
  if (ACCUMULATE) { v += C[idx]; }
  C[idx] = v;
}

// Row r, columns c..c+3 of C as one vec4 (c a multiple of 4, below N; ldc and c_offset multiples of 4).
fn store4(r: u32, c: u32, value: vec4<f32>) {
  if (r >= p.M || c >= p.N) { return; }
  var v = value;
  if (HAS_BIAS) { v += bias4(p.bias_offset + c); }
  let idx = (p.c_offset + r * p.ldc + c) / 4u;
  if (ACCUMULATE) { v += C4[idx]; }
  C4[idx] = v;
}

// One step of 4 along K for the nt 4 x 4 block: acc[i][j] += dot(x_i, y_j), where x0, x1 / y0, y1
// are this invocation's loads and x2, x3 / y2, y3 its partners' (swapped in here).
fn nt_step(acc: array<vec4<f32>, 4>, x0: vec4<f32>, x1: vec4<f32>, y0: vec4<f32>, y1: vec4<f32>) -> array<vec4<f32>, 4> {
  let x2 = quadSwapX(x0);
  let x3 = quadSwapX(x1);
  let y2 = quadSwapY(y0);
  let y3 = quadSwapY(y1);
  return array<vec4<f32>, 4>(
    acc[0] + vec4<f32>(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3)),
    acc[1] + vec4<f32>(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3)),
    acc[2] + vec4<f32>(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3)),
    acc[3] + vec4<f32>(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3)),
  );
}

// An nt row of the block (columns cols_of(t)) as columns col0 + 4b + (0, 1, 2, 3): cols_of(t) is
// that order for a = 0 and (2, 3, 0, 1) for a = 1.
fn in_column_order(t: Quad, v: vec4<f32>) -> vec4<f32> {
  return select(v.zwxy, v, t.a == 0u);
}

// Rows of the block's acc[0..3]: own rows (4a + 2b, +1), then the X partner's (4a + 2(1-b), +1).
fn rows_of(t: Quad) -> array<u32, 4> {
  let ra = t.row0 + 4u * t.a + 2u * t.b;
  let rp = t.row0 + 4u * t.a + 2u * (1u - t.b);
  return array<u32, 4>(ra, ra + 1u, rp, rp + 1u);
}

// nt columns of acc[i][0..3]: own B rows (4b + 2a, +1), then the Y partner's (4b + 2(1-a), +1).
fn cols_of(t: Quad) -> array<u32, 4> {
  let cb = t.col0 + 4u * t.b + 2u * t.a;
  let cp = t.col0 + 4u * t.b + 2u * (1u - t.a);
  return array<u32, 4>(cb, cb + 1u, cp, cp + 1u);
}

// Vec4 index of B row `n` (a column of C in the nt product) at the start of K, clamped.
fn b_row(n: u32) -> u32 {
  return (p.b_offset + min(n, p.N - 1u) * p.ldb) / 4u;
}

// The nt product for the quad's block: acc[i][j] = row rows_of(t)[i], column cols_of(t)[j].
fn nt_block(t: Quad) -> array<vec4<f32>, 4> {
  let rows = rows_of(t);
  let cols = cols_of(t);
  // Own rows of A and own rows of B (= columns of C); the partners hold the other halves.
  let a0 = a_row(rows[0]);
  let a1 = a_row(rows[1]);
  let b0 = b_row(cols[0]);
  let b1 = b_row(cols[1]);
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k = 0u; k < p.K / 4u; k++) {
    acc = nt_step(acc, A4[a0 + k], A4[a1 + k], w4(b0 + k), w4(b1 + k));
  }
  return acc;
}

@compute @workgroup_size(QUADS * 4u)
fn matmul_nt_quad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = quad_of(wg, li);
  let acc = nt_block(t);
  let rows = rows_of(t);
  let cols = cols_of(t);
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      store(rows[i], cols[j], acc[i][j]);
    }
  }
}

@compute @workgroup_size(QUADS * 4u)
fn matmul_nt_quad_v4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = quad_of(wg, li);
  let acc = nt_block(t);
  let rows = rows_of(t);
  for (var i = 0u; i < 4u; i++) {
    store4(rows[i], t.col0 + 4u * t.b, in_column_order(t, acc[i]));
  }
}

// The nn product for the quad's block: acc[i] = row rows_of(t)[i], columns 4b..4b+3.
fn nn_block(t: Quad) -> array<vec4<f32>, 4> {
  let rows = rows_of(t);
  let a0 = a_row(rows[0]);
  let a1 = a_row(rows[1]);
  // This invocation's 4 columns as one vec4 of a row of B (clamped to the last vec4 of the row).
  let c4 = min(t.col0 + 4u * t.b, p.N - 4u) / 4u;
  let bstride = p.ldb / 4u;
  // Of each step of 4 along K it loads B rows 2a, 2a+1; the Y partner loads the other two.
  let bbase = p.b_offset / 4u + c4 + 2u * t.a * bstride;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  let first = t.a == 0u;
  for (var k = 0u; k < p.K / 4u; k++) {
    let x0 = A4[a0 + k];
    let x1 = A4[a1 + k];
    let base = bbase + 4u * k * bstride;
    let own0 = w4(base);
    let own1 = w4(base + bstride);
    let x2 = quadSwapX(x0);
    let x3 = quadSwapX(x1);
    let oth0 = quadSwapY(own0);
    let oth1 = quadSwapY(own1);
    // B rows k..k+3 in order.
    let y0 = select(oth0, own0, first);
    let y1 = select(oth1, own1, first);
    let y2 = select(own0, oth0, first);
    let y3 = select(own1, oth1, first);
    acc[0] += x0.x * y0 + x0.y * y1 + x0.z * y2 + x0.w * y3;
    acc[1] += x1.x * y0 + x1.y * y1 + x1.z * y2 + x1.w * y3;
    acc[2] += x2.x * y0 + x2.y * y1 + x2.z * y2 + x2.w * y3;
    acc[3] += x3.x * y0 + x3.y * y1 + x3.z * y2 + x3.w * y3;
  }
  return acc;
}


@compute @workgroup_size(QUADS * 4u)
fn matmul_nn_quad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = quad_of(wg, li);
  let acc = nn_block(t);
  let rows = rows_of(t);
  let c0 = t.col0 + 4u * t.b;
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      store(rows[i], c0 + j, acc[i][j]);
    }
  }
}

@compute @workgroup_size(QUADS * 4u)
fn matmul_nn_quad_v4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = quad_of(wg, li);
  let acc = nn_block(t);
  let rows = rows_of(t);
  let c0 = t.col0 + 4u * t.b;
  for (var i = 0u; i < 4u; i++) {
    store4(rows[i], c0, acc[i]);
  }
}

// ---- SwiGLU fused into the MLP's matmuls (Llama; activations.wgsl holds the unfused ops) ----
//
// Forward. W_up is the fused [gate; up] weight [2I, K] (rows 0..I-1 gate, I..2I-1 up). For the
// I columns j of the activation: g = x·W[j], u = x·W[I+j], h = silu(g)·u. The kernel writes
// gu [M, 2I] (g | u, saved for the backward, as the unfused up matmul does) and h [M, I]. Each
// invocation computes the gate and the up column of its 4 x 4 block: 6 vec4 loads for 32 dot
// products. Params: N = I, ldb = K, ldc = 2I (gu), h has row stride I; bias (Llama's mlp_bias)
// indexed like the weight rows.
// Backward. dh = dy·W_down (nn, [M, K'] x [K', I]); in the epilogue, with g, u from gu:
//   dg = dh·u·σ(g)·(1 + g(1 - σ(g))),  du = dh·silu(g),  written into dgu [M, 2I] (dg | du).

// Both kernels store (and the backward loads) one vec4 per row of the 4 x 4 block, as the _v4
// products do: I and K are multiples of 4 (src/ops/swiglu-matmul.ts), c_offset is 0 and ldc = 2I.
@group(0) @binding(5) var<storage, read_write> H4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> GU4: array<vec4<f32>>;

// σ(g) as activations.wgsl computes it (exp never overflows), for 4 values.
fn sigmoid4(g: vec4<f32>) -> vec4<f32> {
  let e = exp(-min(abs(g), vec4<f32>(80.0)));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= vec4<f32>(0.0));
}

fn bias4(o: u32) -> vec4<f32> {
  return vec4<f32>(bias[o], bias[o + 1u], bias[o + 2u], bias[o + 3u]);
}

// Row r, activation columns c..c+3: g and u into gu, silu(g)·u into h.
fn store_swiglu4(r: u32, c: u32, g0: vec4<f32>, u0: vec4<f32>) {
  if (r >= p.M || c >= p.N) { return; }
  var g = g0;
  var u = u0;
  if (HAS_BIAS) {
    g += bias4(p.bias_offset + c);
    u += bias4(p.bias_offset + p.N + c);
  }
  let idx = (p.c_offset + r * p.ldc + c) / 4u;
  C4[idx] = g;
  C4[idx + p.N / 4u] = u;
  H4[(r * p.N + c) / 4u] = g * sigmoid4(g) * u;
}

@compute @workgroup_size(QUADS * 4u)
fn swiglu_up_quad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = quad_of(wg, li);
  let rows = rows_of(t);
  let cols = cols_of(t);
  let a0 = a_row(rows[0]);
  let a1 = a_row(rows[1]);
  let g0 = b_row(cols[0]);
  let g1 = b_row(cols[1]);
  let up = p.N * p.ldb / 4u;  // the up half starts I rows further
  var ag = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  var au = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k = 0u; k < p.K / 4u; k++) {
    // The A loads serve both halves; the X swaps of them are repeated in registers.
    let x0 = A4[a0 + k];
    let x1 = A4[a1 + k];
    ag = nt_step(ag, x0, x1, w4(g0 + k), w4(g1 + k));
    au = nt_step(au, x0, x1, w4(up + g0 + k), w4(up + g1 + k));
  }
  let c0 = t.col0 + 4u * t.b;
  for (var i = 0u; i < 4u; i++) {
    store_swiglu4(rows[i], c0, in_column_order(t, ag[i]), in_column_order(t, au[i]));
  }
}

fn store_swiglu_grad4(r: u32, c: u32, dh: vec4<f32>) {
  if (r >= p.M || c >= p.N) { return; }
  let gi = (r * 2u * p.N + c) / 4u;
  let g = GU4[gi];
  let u = GU4[gi + p.N / 4u];
  let s = sigmoid4(g);
  let idx = (p.c_offset + r * p.ldc + c) / 4u;
  C4[idx] = dh * u * s * fma(g, 1.0 - s, vec4<f32>(1.0));
  C4[idx + p.N / 4u] = dh * g * s;
}

@compute @workgroup_size(QUADS * 4u)
fn swiglu_down_bwd_quad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = quad_of(wg, li);
  let acc = nn_block(t);
  let rows = rows_of(t);
  let c0 = t.col0 + 4u * t.b;
  for (var i = 0u; i < 4u; i++) {
    store_swiglu_grad4(rows[i], c0, acc[i]);
  }
}
