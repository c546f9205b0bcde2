// attention: causal multi-head attention with grouped-query (GQA) heads and an optional sliding
// window, flash-attention style.
//
// Math, per sequence b and query head h (kv head g = h / (H / Hkv), Hugging Face repeat_kv order),
// with W = Params.window (0 = no window):
//   key j is visible to query i  ⇔  j <= i (causal; no position sees a later one)
//                                   and, when W > 0, i - j < W (i sees itself and the W - 1 before)
//   S[i,j] = scale · q_i·k_j  for visible j;  P[i,j] = 0 for every other j
//   P[i,:] = softmax(S[i,visible]),  out_i = Σ_j P[i,j] v_j,  lse_i = log Σ_{j visible} exp S[i,j]
// Backward (weights are frozen; these are gradients w.r.t. q, k, v, which flow on to the inputs):
//   delta_i = dout_i·out_i  (= Σ_j P[i,j] dP[i,j]),  dP[i,j] = dout_i·v_j,  dS = P ∘ (dP - delta)
//   dq_i = scale Σ_{j = max(0, i-W+1)..i} dS[i,j] k_j
//   dk_j = scale Σ_h Σ_{i = j..j+W-1} dS[i,j] q_i,  dv_j = Σ_h Σ_{i = j..j+W-1} P[i,j] dout_i
//   (h over g's group; without a window the ranges are j <= i and i >= j, up to N - 1)
// No [N, N] matrix is ever stored: the forward runs an online softmax over keys and saves lse; the
// backward recomputes P[i,j] = exp(S[i,j] - lse_i) wherever it needs it.
//
// Window convention (Mistral's `sliding_window`, the local layers of Gemma 2/3): Hugging Face
// transformers' masking_utils.py builds the sliding-window causal mask as causal_mask_function
// (kv_idx <= q_idx) and-ed with sliding_window_overlay (kv_idx > q_idx - sliding_window), i.e.
// i - j < W: W keys per query, itself included. Its flash-attention path says the same with
// window_size = (W - 1, W - 1) under causal=True, as vLLM's (W - 1, 0) does. (Older transformers
// passed (W, W) to flash-attention, W + 1 keys: an off-by-one since fixed, not followed here.)
// W = 1 attends to itself alone; W >= N is no window at all.
//
// Memory layout (all row-major f32; R = B·N rows, batch-major, attention never crosses sequences):
//   qkv  [R, ldq]   q head h at columns q_off + h·HD, k/v head g at k_off + g·HD / v_off + g·HD
//                   (the fused q/k/v projection's output, rotary already applied)
//   out  [R, H·HD]  head h at columns h·HD (what o_proj reads);  dout has the same layout
//   lse  [R, H]     and delta [R, H]: one value per (row, query head)
//   dqkv [R, ldq]   the backward overwrites exactly the q, k and v column blocks of qkv's layout
// The row buffers are read as array<vt>, vt = vec4<f32> (V = 4) when HD, ldq and the three offsets
// are multiples of 4, else f32 (V = 1); Params holds ldq and the offsets in units of vt.
//
// Work split (no float atomics, every output element written by one invocation in a fixed order,
// so results are deterministic):
//   attention_forward      one invocation per (b, block of QB queries, HG query heads of one kv
//                          group): RB = QB·HG rows of q and of the output accumulator in registers;
//                          each key row k_j, v_j (j from the first query's window start up to the
//                          block's last query) is loaded once and serves all RB rows. Online
//                          softmax without branches: m' = max(m, s), acc = acc·exp(m - m') +
//                          exp(s - m')·v_j.
//   attention_backward_dq  same split; rows hold q, dout, dq, lse, delta (computed here from
//                          dout·out and written for the next pass); per key: s, dP, dS, dq += dS·k_j
//   attention_backward_dkv one invocation per (b, kv head g, block of KB keys): k, v, dk, dv of the
//                          KB keys in registers; loops over the group's query heads and queries
//                          i >= the block's first key (with a window, < its last key + W), loading
//                          q_i, dout_i, lse_i, delta_i once for all KB keys; runs after backward_dq
//                          (reads delta)
// The loops skip only what is hidden from the whole block: with a window a query block reads
// QB + W - 1 keys and a key block LANES·KB + W - 1 queries, so a sequence costs O(N·W), not
// O(N²). Masking inside a block is arithmetic, not control flow: a hidden key (later, or out of the
// window) scores NEG_BIG and weighs exactly 0 in the forward and gets dS = P = 0 in the backward.
// Rows of a block past N load row N - 1 (clamped) and are never written. Invocations are ordered
// block-fastest, so the SIMD lanes of a workgroup read the same key/value rows and have nearly
// equal loop lengths; the dk/dv pass runs every lane of a LANES-wide group over the same queries
// for the same reason.
//
// Templates and constants (chosen per adapter in src/ops/attention.ts, attentionTiling):
//   template values HD, V / VT / VDOT (vec4 or scalar rows), QB, HG, KB: function-scope arrays
//   need const sizes, so one pipeline per combination is compiled and cached.
//   override WG (workgroup size), LANES (SIMD width the dk/dv query loop aligns to).
// Loops marked unroll (block rows, head dimension) are expanded by the wrapper before compiling
// (WGSL has no unroll hint and neither Tint nor SwiftShader unrolls): with constant indices the
// per-row arrays become registers instead of memory behind dynamic indices, 3-8x faster on
// SwiftShader. Row loads/stores (unroll:io) stay loops above a few elements, because bounds-checked
// storage accesses are slow to compile there. CPU emulators get blocks (QB·HG up to 8 rows, KB up to
// 8 keys, fewer for large HD to bound compile time); real GPUs one row per invocation (QB = HG =
// KB = 1), where occupancy and register pressure come first.
//
// Every `var` has an explicit initializer: Dawn/Tint on SwiftShader zero-initialises a `var x: T;`
// only once per invocation, not each time a loop body re-enters its declaration.

const HD: u32 = {{HD}}u;
const V: u32 = {{V}}u;  // floats per vt
const HDV: u32 = HD / V;  // vt elements per head row
alias vt = {{VT}};
alias row = array<vt, HDV>;
const QB: u32 = {{QB}}u;  // queries per forward / dq invocation
const HG: u32 = {{HG}}u;  // query heads (of one kv group) per forward / dq invocation
const RB: u32 = QB * HG;  // rows per forward / dq invocation: r = head (r / QB), query (r % QB)
const KB: u32 = {{KB}}u;  // keys per dk/dv invocation
// Below any finite score, so the first key always becomes the running max; exp(NEG_BIG - m) is 0.
const NEG_BIG: f32 = -3.0e38;

// s + a·b (a dot product for vec4 rows).
fn vdot(s: f32, a: vt, b: vt) -> f32 { return {{VDOT}}; }

struct Params {
  B: u32, N: u32, H: u32, Hkv: u32,
  ldq: u32, q_off: u32, k_off: u32, v_off: u32,  // in units of vt
  group: u32,  // H / Hkv: query heads per kv head
  scale: f32,
  window: u32,  // sliding window in tokens, 0 = none
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qkv: array<vt>;
@group(0) @binding(2) var<storage, read_write> out: array<vt>;
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<vt>;
@group(0) @binding(5) var<storage, read_write> delta: array<f32>;
@group(0) @binding(6) var<storage, read_write> dqkv: array<vt>;

override WG: u32 = 64;
override LANES: u32 = 1;

// The wrapper may spread workgroups over a 2-D grid (more than 65535 of them); flatten it.
fn flat_id(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// One head row in and out of the storage buffers.
fn qkv_row(base: u32) -> row {
  var x = row();
  /*unroll:io*/ for (var d = 0u; d < HDV; d++) { x[d] = qkv[base + d]; }
  return x;
}

fn dout_row(base: u32) -> row {
  var x = row();
  /*unroll:io*/ for (var d = 0u; d < HDV; d++) { x[d] = dout[base + d]; }
  return x;
}

fn out_row(base: u32) -> row {
  var x = row();
  /*unroll:io*/ for (var d = 0u; d < HDV; d++) { x[d] = out[base + d]; }
  return x;
}

fn store_out(base: u32, x: row) {
  /*unroll:io*/ for (var d = 0u; d < HDV; d++) { out[base + d] = x[d]; }
}

fn store_dqkv(base: u32, x: row) {
  /*unroll:io*/ for (var d = 0u; d < HDV; d++) { dqkv[base + d] = x[d]; }
}

// The window in tokens, with 0 (none) read as wider than any sequence: the same masks and loop
// bounds then serve both, and without a window they reduce to the causal ones exactly.
fn window_width() -> u32 {
  return select(p.window, 0xffffffffu, p.window == 0u);
}

// Whether key j is hidden from query i: after it, or w or more positions before it.
fn hidden(i: u32, j: u32, w: u32) -> bool {
  return j > i || i - j >= w;
}

// The first key query i sees: i + 1 - w, or 0 when that would be negative.
fn first_key(i: u32, w: u32) -> u32 {
  return i + 1u - min(w, i + 1u);
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let nqb = (p.N + QB - 1u) / QB;
  let nhb = p.H / HG;
  let t = flat_id(gid, nwg);
  if (t >= p.B * nhb * nqb) { return; }
  let i0 = (t % nqb) * QB;
  let h0 = ((t / nqb) % nhb) * HG;
  let row0 = (t / (nqb * nhb)) * p.N;
  let g = h0 / p.group;
  let kcol = p.k_off + g * HDV;
  let vcol = p.v_off + g * HDV;

  // q is pre-scaled so S costs one fma per dimension; the backward scales identically, so the
  // scores it recomputes match the ones lse was taken over.
  var q = array<row, RB>();
  /*unroll*/ for (var r = 0u; r < RB; r++) {
    let x = qkv_row((row0 + min(i0 + r % QB, p.N - 1u)) * p.ldq + p.q_off + (h0 + r / QB) * HDV);
    /*unroll*/ for (var d = 0u; d < HDV; d++) { q[r][d] = x[d] * p.scale; }
  }
  var acc = array<row, RB>();
  var m = array<f32, RB>();
  var l = array<f32, RB>();
  /*unroll*/ for (var r = 0u; r < RB; r++) { m[r] = NEG_BIG; }

  // Keys before the first query's window are hidden from every row of the block.
  let w = window_width();
  let jend = min(i0 + QB, p.N);
  for (var j = first_key(i0, w); j < jend; j++) {
    let rb = (row0 + j) * p.ldq;
    let kr = qkv_row(rb + kcol);
    let vr = qkv_row(rb + vcol);
    /*unroll*/ for (var r = 0u; r < RB; r++) {
      var s = 0.0;
      /*unroll*/ for (var d = 0u; d < HDV; d++) { s = vdot(s, q[r][d], kr[d]); }
      let masked = hidden(i0 + r % QB, j, w);
      s = select(s, NEG_BIG, masked);
      let mn = max(m[r], s);
      let c = exp(m[r] - mn);
      // A key hidden by the window can come before this row's first visible one, while m is
      // still NEG_BIG and exp(s - m') would be 1: its weight is set to 0 here rather than rescaled
      // away later. (A causally hidden key always follows a visible one, whose score is the
      // running max, so exp(s - m') is already 0 and nothing changes without a window.)
      let e = select(exp(s - mn), 0.0, masked);
      m[r] = mn;
      l[r] = fma(l[r], c, e);
      /*unroll*/ for (var d = 0u; d < HDV; d++) { acc[r][d] = fma(vt(e), vr[d], acc[r][d] * c); }
    }
  }

  let hw = p.H * HDV;
  /*unroll*/ for (var r = 0u; r < RB; r++) {
    let i = i0 + r % QB;
    if (i < p.N) {
      let h = h0 + r / QB;
      // l >= 1 (the max key contributes exp(0)), so the division and log are safe.
      let inv = 1.0 / l[r];
      var o = row();
      /*unroll*/ for (var d = 0u; d < HDV; d++) { o[d] = acc[r][d] * inv; }
      store_out((row0 + i) * hw + h * HDV, o);
      lse[(row0 + i) * p.H + h] = m[r] + log(l[r]);
    }
  }
}

@compute @workgroup_size(WG)
fn attention_backward_dq(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let nqb = (p.N + QB - 1u) / QB;
  let nhb = p.H / HG;
  let t = flat_id(gid, nwg);
  if (t >= p.B * nhb * nqb) { return; }
  let i0 = (t % nqb) * QB;
  let h0 = ((t / nqb) % nhb) * HG;
  let row0 = (t / (nqb * nhb)) * p.N;
  let g = h0 / p.group;
  let kcol = p.k_off + g * HDV;
  let vcol = p.v_off + g * HDV;
  let hw = p.H * HDV;

  var q = array<row, RB>();
  var go = array<row, RB>();
  var L = array<f32, RB>();
  var dl = array<f32, RB>();
  /*unroll*/ for (var r = 0u; r < RB; r++) {
    let i = min(i0 + r % QB, p.N - 1u);
    let h = h0 + r / QB;
    let x = qkv_row((row0 + i) * p.ldq + p.q_off + h * HDV);
    let ob = (row0 + i) * hw + h * HDV;
    let gx = dout_row(ob);
    let ox = out_row(ob);
    var dd = 0.0;
    /*unroll*/ for (var d = 0u; d < HDV; d++) {
      q[r][d] = x[d] * p.scale;
      go[r][d] = gx[d];
      dd = vdot(dd, gx[d], ox[d]);
    }
    dl[r] = dd;
    L[r] = lse[(row0 + i) * p.H + h];
    if (i0 + r % QB < p.N) { delta[(row0 + i) * p.H + h] = dd; }
  }

  var dq = array<row, RB>();
  let w = window_width();
  let jend = min(i0 + QB, p.N);
  for (var j = first_key(i0, w); j < jend; j++) {
    let rb = (row0 + j) * p.ldq;
    let kr = qkv_row(rb + kcol);
    let vr = qkv_row(rb + vcol);
    /*unroll*/ for (var r = 0u; r < RB; r++) {
      var s = 0.0;
      var dp = 0.0;
      /*unroll*/ for (var d = 0u; d < HDV; d++) {
        s = vdot(s, q[r][d], kr[d]);
        dp = vdot(dp, go[r][d], vr[d]);
      }
      let ds = select(exp(s - L[r]) * (dp - dl[r]), 0.0, hidden(i0 + r % QB, j, w));
      /*unroll*/ for (var d = 0u; d < HDV; d++) { dq[r][d] = fma(vt(ds), kr[d], dq[r][d]); }
    }
  }
  /*unroll*/ for (var r = 0u; r < RB; r++) {
    let i = i0 + r % QB;
    if (i < p.N) {
      var o = row();
      /*unroll*/ for (var d = 0u; d < HDV; d++) { o[d] = dq[r][d] * p.scale; }
      store_dqkv((row0 + i) * p.ldq + p.q_off + (h0 + r / QB) * HDV, o);
    }
  }
}

@compute @workgroup_size(WG)
fn attention_backward_dkv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let nkb = (p.N + KB - 1u) / KB;
  let t = flat_id(gid, nwg);
  if (t >= p.B * p.Hkv * nkb) { return; }
  let j0 = (t % nkb) * KB;
  let g = (t / nkb) % p.Hkv;
  let row0 = (t / (nkb * p.Hkv)) * p.N;
  let hw = p.H * HDV;

  var k = array<row, KB>();
  var v = array<row, KB>();
  /*unroll*/ for (var c = 0u; c < KB; c++) {
    let rb = (row0 + min(j0 + c, p.N - 1u)) * p.ldq;
    k[c] = qkv_row(rb + p.k_off + g * HDV);
    v[c] = qkv_row(rb + p.v_off + g * HDV);
  }
  var dk = array<row, KB>();
  var dv = array<row, KB>();
  // Queries before j0 are hidden from every key of the block, and so (with a window w) are those
  // at or past its last key + w. Both bounds are those of the LANES-wide group of key blocks this
  // one belongs to, which keeps SIMD lanes (consecutive key blocks) on the same q_i / dout_i rows
  // at the same time. min(w, N) keeps the sum from wrapping; without a window iend is N.
  let w = window_width();
  let span = LANES * KB;
  let istart = j0 - j0 % span;
  let iend = min(p.N, istart + span - 1u + min(w, p.N));
  for (var hh = 0u; hh < p.group; hh++) {
    let h = g * p.group + hh;
    for (var i = istart; i < iend; i++) {
      let r = row0 + i;
      let qx = qkv_row(r * p.ldq + p.q_off + h * HDV);
      let gx = dout_row(r * hw + h * HDV);
      let L = lse[r * p.H + h];
      let dl = delta[r * p.H + h];
      // (scale·q)·k as in the forward, so P here equals the forward's P.
      var qs = row();
      /*unroll*/ for (var d = 0u; d < HDV; d++) { qs[d] = qx[d] * p.scale; }
      /*unroll*/ for (var c = 0u; c < KB; c++) {
        var s = 0.0;
        var dp = 0.0;
        /*unroll*/ for (var d = 0u; d < HDV; d++) {
          s = vdot(s, qs[d], k[c][d]);
          dp = vdot(dp, gx[d], v[c][d]);
        }
        let pij = select(exp(s - L), 0.0, hidden(i, j0 + c, w));
        let ds = pij * (dp - dl);
        /*unroll*/ for (var d = 0u; d < HDV; d++) {
          dv[c][d] = fma(vt(pij), gx[d], dv[c][d]);
          dk[c][d] = fma(vt(ds), qx[d], dk[c][d]);
        }
      }
    }
  }
  /*unroll*/ for (var c = 0u; c < KB; c++) {
    let j = j0 + c;
    if (j < p.N) {
      let rb = (row0 + j) * p.ldq;
      var o = row();
      /*unroll*/ for (var d = 0u; d < HDV; d++) { o[d] = dk[c][d] * p.scale; }
      store_dqkv(rb + p.k_off + g * HDV, o);
      store_dqkv(rb + p.v_off + g * HDV, dv[c]);
    }
  }
}
