// attention: causal multi-head attention with grouped-query (GQA) heads, flash-attention style.
//
// Math, per sequence b and query head h (kv head g = h / (H / Hkv), Hugging Face repeat_kv order):
//   S[i,j] = scale · q_i·k_j  for j <= i (causal; no position sees a later one)
//   P[i,:] = softmax(S[i,:]),  out_i = Σ_j P[i,j] v_j,  lse_i = log Σ_{j<=i} exp S[i,j]
// Backward (weights are frozen; these are gradients w.r.t. q, k, v, which flow on to the inputs):
//   delta_i = dout_i·out_i  (= Σ_j P[i,j] dP[i,j]),  dP[i,j] = dout_i·v_j,  dS = P ∘ (dP - delta)
//   dq_i = scale Σ_{j<=i} dS[i,j] k_j
//   dk_j = scale Σ_h Σ_{i>=j} dS[i,j] q_i,  dv_j = Σ_h Σ_{i>=j} P[i,j] dout_i   (h over g's group)
// No [N, N] matrix is ever stored: the forward runs an online softmax over keys and saves lse; the
// backward recomputes P[i,j] = exp(S[i,j] - lse_i) wherever it needs it.
//
// Memory layout (all row-major f32; R = B·N rows, batch-major, attention never crosses sequences):
//   qkv  [R, ldq]   q head h at columns q_off + h·HD, k/v head g at k_off + g·HD / v_off + g·HD
//                   (the fused q/k/v projection's output, rotary already applied)
//   out  [R, H·HD]  head h at columns h·HD (what o_proj reads);  dout has the same layout
//   lse  [R, H]     and delta [R, H]: one value per (row, query head)
//   dqkv [R, ldq]   the backward overwrites exactly the q, k and v column blocks of qkv's layout
//
// Work split (no float atomics, so results are deterministic):
//   attention_forward      one invocation per (b, h, query i): online softmax over keys j <= i
//   attention_backward_dq  one invocation per (b, h, query i): delta_i (written for the next pass)
//                          and dq_i, looping over keys j <= i
//   attention_backward_dkv one invocation per (b, g, key j): dk_j and dv_j, looping over the group's
//                          query heads and queries i >= j; runs after backward_dq (reads delta)
// Invocations are ordered query-fastest, so the lanes of a workgroup read the same key/value rows
// and have nearly equal causal loop lengths.
//
// HD (head size) is a {{HD}} template value, not an override constant: each invocation keeps q,
// the output accumulator (and in the backward dk, dv) in function-scope arrays, whose size WGSL
// requires to be a const-expression. One pipeline per head size is compiled and cached; the
// constant loop bound also lets the compiler unroll the per-dimension loops. Keeping these rows in
// registers (not workgroup memory) follows WEBGPU.md: register tiling wins on CPU emulators.
// (Blocking 2..8 queries or keys per invocation to share k/v loads measured no clear gain on
// SwiftShader and multiplies register pressure on real GPUs, so one row per invocation it is.)
//
// Every `var` has an explicit initializer: Dawn/Tint on SwiftShader zero-initialises a `var x: T;`
// only once per invocation, not each time a loop body re-enters its declaration.

const HD: u32 = {{HD}}u;
// Below any finite score, so the first key always becomes the running max; exp(NEG_BIG - s) is 0.
const NEG_BIG: f32 = -3.0e38;

struct Params {
  B: u32, N: u32, H: u32, Hkv: u32,
  ldq: u32, q_off: u32, k_off: u32, v_off: u32,
  group: u32,  // H / Hkv: query heads per kv head
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> delta: array<f32>;
@group(0) @binding(6) var<storage, read_write> dqkv: array<f32>;

override WG: u32 = 64;

// The wrapper may spread workgroups over a 2-D grid (more than 65535 of them); flatten it.
fn flat_id(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat_id(gid, nwg);
  if (t >= p.B * p.H * p.N) { return; }
  let i = t % p.N;
  let h = (t / p.N) % p.H;
  let row0 = (t / (p.N * p.H)) * p.N;  // first row of this sequence
  let r = row0 + i;
  let kcol = p.k_off + (h / p.group) * HD;
  let vcol = p.v_off + (h / p.group) * HD;

  // q is pre-scaled so S costs one fma per dimension; the backward scales identically, so the
  // scores it recomputes match the ones lse was taken over bit for bit.
  var q = array<f32, HD>();
  let qb = r * p.ldq + p.q_off + h * HD;
  for (var d = 0u; d < HD; d++) { q[d] = qkv[qb + d] * p.scale; }

  var acc = array<f32, HD>();
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = 0u; j <= i; j++) {
    let kb = (row0 + j) * p.ldq + kcol;
    var s = 0.0;
    for (var d = 0u; d < HD; d++) { s = fma(q[d], qkv[kb + d], s); }
    // Rescale only when the max moves: most keys after the first few do not move it.
    if (s > m) {
      let c = exp(m - s);
      l *= c;
      for (var d = 0u; d < HD; d++) { acc[d] *= c; }
      m = s;
    }
    let e = exp(s - m);
    l += e;
    let vb = (row0 + j) * p.ldq + vcol;
    for (var d = 0u; d < HD; d++) { acc[d] = fma(e, qkv[vb + d], acc[d]); }
  }

  // l >= 1 (the max key contributes exp(0)), so the division and log are safe.
  let inv = 1.0 / l;
  let ob = r * p.H * HD + h * HD;
  for (var d = 0u; d < HD; d++) { out[ob + d] = acc[d] * inv; }
  lse[r * p.H + h] = m + log(l);
}

@compute @workgroup_size(WG)
fn attention_backward_dq(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat_id(gid, nwg);
  if (t >= p.B * p.H * p.N) { return; }
  let i = t % p.N;
  let h = (t / p.N) % p.H;
  let row0 = (t / (p.N * p.H)) * p.N;
  let r = row0 + i;
  let kcol = p.k_off + (h / p.group) * HD;
  let vcol = p.v_off + (h / p.group) * HD;

  var q = array<f32, HD>();
  let qb = r * p.ldq + p.q_off + h * HD;
  for (var d = 0u; d < HD; d++) { q[d] = qkv[qb + d] * p.scale; }

  var go = array<f32, HD>();
  let ob = r * p.H * HD + h * HD;
  var dl = 0.0;
  for (var d = 0u; d < HD; d++) {
    go[d] = dout[ob + d];
    dl = fma(go[d], out[ob + d], dl);
  }
  delta[r * p.H + h] = dl;
  let L = lse[r * p.H + h];

  var dq = array<f32, HD>();
  for (var j = 0u; j <= i; j++) {
    let kb = (row0 + j) * p.ldq + kcol;
    let vb = (row0 + j) * p.ldq + vcol;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < HD; d++) {
      s = fma(q[d], qkv[kb + d], s);
      dp = fma(go[d], qkv[vb + d], dp);
    }
    let ds = exp(s - L) * (dp - dl);
    for (var d = 0u; d < HD; d++) { dq[d] = fma(ds, qkv[kb + d], dq[d]); }
  }
  for (var d = 0u; d < HD; d++) { dqkv[qb + d] = dq[d] * p.scale; }
}

@compute @workgroup_size(WG)
fn attention_backward_dkv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat_id(gid, nwg);
  if (t >= p.B * p.Hkv * p.N) { return; }
  let j = t % p.N;
  let g = (t / p.N) % p.Hkv;
  let row0 = (t / (p.N * p.Hkv)) * p.N;
  let kb = (row0 + j) * p.ldq + p.k_off + g * HD;
  let vb = (row0 + j) * p.ldq + p.v_off + g * HD;

  var k = array<f32, HD>();
  var v = array<f32, HD>();
  for (var d = 0u; d < HD; d++) {
    k[d] = qkv[kb + d];
    v[d] = qkv[vb + d];
  }
  var dk = array<f32, HD>();
  var dv = array<f32, HD>();
  for (var hh = 0u; hh < p.group; hh++) {
    let h = g * p.group + hh;
    for (var i = j; i < p.N; i++) {
      let r = row0 + i;
      let qb = r * p.ldq + p.q_off + h * HD;
      let ob = r * p.H * HD + h * HD;
      var s = 0.0;
      var dp = 0.0;
      // (scale·q)·k in the forward's order, so P here equals the forward's P exactly.
      for (var d = 0u; d < HD; d++) {
        s = fma(qkv[qb + d] * p.scale, k[d], s);
        dp = fma(dout[ob + d], v[d], dp);
      }
      let pij = exp(s - lse[r * p.H + h]);
      let ds = pij * (dp - delta[r * p.H + h]);
      for (var d = 0u; d < HD; d++) {
        dv[d] = fma(pij, dout[ob + d], dv[d]);
        dk[d] = fma(ds, qkv[qb + d], dk[d]);
      }
    }
  }
  for (var d = 0u; d < HD; d++) {
    dqkv[kb + d] = dk[d] * p.scale;
    dqkv[vb + d] = dv[d];
  }
}
