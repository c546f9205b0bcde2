// kv_cache: a key/value cache for autoregressive decoding, and attention of new rows against it.
//
// Decoding appends the keys and values of the rows it has just projected, then attends from those
// rows to every cached position up to their own. The current position lives on the GPU, in
// state u32 [2]:  state[0] = pos, the number of positions of every sequence already in the cache
// (the new rows of a dispatch sit at positions pos, pos+1, ..., pos+n-1), state[1] = how many
// tokens decode_advance has emitted. With the position on the GPU one recorded step program is
// replayed for every token, with no CPU round trip and no per-step uniform upload.
//
// Layout (row-major f32; B sequences, n new rows each, batch-major rows r = b·n + i):
//   qkv  [B·n, ldq]           q head h at columns q_off + h·HD, k/v head g at k_off/v_off + g·HD
//                             (the fused projection output, rotary already applied)
//   kc, vc [B, Hkv, maxLen, HD]  one contiguous run of positions per (sequence, kv head)
//   out  [B·n, H·HD], lse [B·n, H]   (lse saved for the backward)
// Math, for new row (b, i) at position P = pos + i and query head h (kv head g = h / group):
//   kv_append:         kc[b, g, pos + i] = k(b, i, g),  vc[b, g, pos + i] = v(b, i, g)
//   attention_decode:  S_j = scale·q·kc[b, g, j] for j = first(P)..P;  out = Σ_j softmax(S)_j
//                      vc[b, g, j];  lse = log Σ_j exp S_j.  first(P) = 0, or with a sliding
//                      window of W = Params.window tokens (0 = none) max(0, P - W + 1): the row
//                      sees the last W positions, itself included (the convention of
//                      shaders/attention.wgsl, Hugging Face's sliding_window: kv_idx > q_idx - W).
//                      New rows see each other causally, so n > 1 is a prefill and n = 1 one
//                      decoding step; with pos = 0 and n = N this is exactly the attention of
//                      shaders/attention.wgsl, window and all.
//   decode_advance:    tokens[b, state[1]] = next[b] while state[1] < count; state[0] += n;
//                      state[1] += 1 (one invocation: runs after everything else of a step).
// Backward (decoding never needs it; it makes the op complete and is checked against float64):
//   attention_decode_backward_dq:  delta = dout·out, dS_j = P_j (dout·v_j - delta),
//                                  dq = scale Σ_{j = first(P)..P} dS_j k_j  → the q block of dqkv;
//                                  delta saved
//   attention_decode_backward_dkv: for every cache position j < pos + n of (b, g), into dkc, dvc
//                                  (same layout as kc, vc; overwritten, later positions untouched):
//                                  dkc_j = scale Σ_{h of g} Σ_{i: j <= pos+i < j+W} dS_ij q_i,
//                                  dvc_j = Σ_{h of g} Σ_{i: j <= pos+i < j+W} P_ij dout_i
//                                  (W = ∞ without a window; positions no new row sees get 0)
//   kv_append_backward:            the k and v blocks of dqkv row (b, i) = dkc / dvc at pos + i
//                                  (the gradient of earlier positions stays in dkc / dvc)
// Every output element is written by one invocation in a fixed order: deterministic, no atomics.
// One invocation per (row, query head) keeps q and the accumulator in function-scope arrays of
// HD floats (a template value, like attention.wgsl).

const HD: u32 = {{HD}}u;
const NEG_BIG: f32 = -3.0e38;

struct Params {
  B: u32, n: u32, maxLen: u32, H: u32,
  Hkv: u32, ldq: u32, q_off: u32, k_off: u32,
  v_off: u32, group: u32, count: u32, scale: f32,
  window: u32,  // sliding window in tokens, 0 = none
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> state: array<u32>;
@group(0) @binding(2) var<storage, read> qkv: array<f32>;
@group(0) @binding(3) var<storage, read_write> kc: array<f32>;
@group(0) @binding(4) var<storage, read_write> vc: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;
@group(0) @binding(7) var<storage, read> dout: array<f32>;
@group(0) @binding(8) var<storage, read_write> delta: array<f32>;
@group(0) @binding(9) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(10) var<storage, read_write> dkc: array<f32>;
@group(0) @binding(11) var<storage, read_write> dvc: array<f32>;
@group(0) @binding(12) var<storage, read> next: array<u32>;
@group(0) @binding(13) var<storage, read_write> tokens: array<u32>;

const WG = 64u;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * nwg.x * WG + gid.x;
}

// Offset of cache position j of (sequence b, kv head g).
fn cache_at(b: u32, g: u32, j: u32) -> u32 {
  return ((b * p.Hkv + g) * p.maxLen + j) * HD;
}

// The first cache position the row at position last sees: 0, or last + 1 - W with a window of W
// (itself and the W - 1 positions before it), clamped at 0.
fn first_key(last: u32) -> u32 {
  return select(0u, last + 1u - min(p.window, last + 1u), p.window != 0u);
}

@compute @workgroup_size(WG)
fn kv_append(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.B * p.n * p.Hkv * HD) { return; }
  let d = t % HD;
  let g = (t / HD) % p.Hkv;
  let r = t / (HD * p.Hkv);
  let b = r / p.n;
  let i = r % p.n;
  let at = cache_at(b, g, state[0] + i) + d;
  kc[at] = qkv[r * p.ldq + p.k_off + g * HD + d];
  vc[at] = qkv[r * p.ldq + p.v_off + g * HD + d];
}

@compute @workgroup_size(WG)
fn attention_decode(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.B * p.n * p.H) { return; }
  let h = t % p.H;
  let r = t / p.H;
  let b = r / p.n;
  let last = state[0] + r % p.n;  // this row's position: keys first_key(last)..last
  let g = h / p.group;
  var q = array<f32, HD>();
  for (var d = 0u; d < HD; d++) { q[d] = qkv[r * p.ldq + p.q_off + h * HD + d] * p.scale; }
  var acc = array<f32, HD>();
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = first_key(last); j <= last; j++) {
    let base = cache_at(b, g, j);
    var s = 0.0;
    for (var d = 0u; d < HD; d++) { s = fma(q[d], kc[base + d], s); }
    let mn = max(m, s);
    let c = exp(m - mn);
    let e = exp(s - mn);
    m = mn;
    l = fma(l, c, e);
    for (var d = 0u; d < HD; d++) { acc[d] = fma(e, vc[base + d], acc[d] * c); }
  }
  // l >= 1 (the largest score contributes exp(0)).
  let inv = 1.0 / l;
  for (var d = 0u; d < HD; d++) { out[r * p.H * HD + h * HD + d] = acc[d] * inv; }
  lse[r * p.H + h] = m + log(l);
}

@compute @workgroup_size(1)
fn decode_advance() {
  let s = state[1];
  if (s < p.count) {
    for (var b = 0u; b < p.B; b++) { tokens[b * p.count + s] = next[b]; }
  }
  state[0] = state[0] + p.n;
  state[1] = s + 1u;
}

@compute @workgroup_size(WG)
fn attention_decode_backward_dq(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.B * p.n * p.H) { return; }
  let h = t % p.H;
  let r = t / p.H;
  let b = r / p.n;
  let last = state[0] + r % p.n;
  let g = h / p.group;
  let ob = r * p.H * HD + h * HD;
  var q = array<f32, HD>();
  var go = array<f32, HD>();
  var dl = 0.0;
  for (var d = 0u; d < HD; d++) {
    q[d] = qkv[r * p.ldq + p.q_off + h * HD + d] * p.scale;
    go[d] = dout[ob + d];
    dl = fma(go[d], out[ob + d], dl);
  }
  delta[r * p.H + h] = dl;
  let L = lse[r * p.H + h];
  var dq = array<f32, HD>();
  for (var j = first_key(last); j <= last; j++) {
    let base = cache_at(b, g, j);
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < HD; d++) {
      s = fma(q[d], kc[base + d], s);
      dp = fma(go[d], vc[base + d], dp);
    }
    let ds = exp(s - L) * (dp - dl);
    for (var d = 0u; d < HD; d++) { dq[d] = fma(ds, kc[base + d], dq[d]); }
  }
  for (var d = 0u; d < HD; d++) { dqkv[r * p.ldq + p.q_off + h * HD + d] = dq[d] * p.scale; }
}

// Writes dkc and dvc for positions 0 .. pos + n - 1 (the rest of the cache is left untouched).
@compute @workgroup_size(WG)
fn attention_decode_backward_dkv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  let len = state[0] + p.n;
  if (t >= p.B * p.Hkv * len) { return; }
  let j = t % len;
  let g = (t / len) % p.Hkv;
  let b = t / (len * p.Hkv);
  let base = cache_at(b, g, j);
  var k = array<f32, HD>();
  var v = array<f32, HD>();
  for (var d = 0u; d < HD; d++) {
    k[d] = kc[base + d];
    v[d] = vc[base + d];
  }
  var dk = array<f32, HD>();
  var dv = array<f32, HD>();
  // New row i sees position j when j <= pos + i, and with a window W when pos + i < j + W: rows
  // i0 .. iend - 1 (none when iend <= i0; then dkc_j = dvc_j = 0). min(W, maxLen) keeps j + W
  // from wrapping and changes nothing, as pos + n <= maxLen.
  let i0 = select(0u, j - state[0], j > state[0]);
  let jw = j + min(p.window, p.maxLen);
  let iend = select(p.n, min(p.n, jw - min(jw, state[0])), p.window != 0u);
  for (var hh = 0u; hh < p.group; hh++) {
    let h = g * p.group + hh;
    for (var i = i0; i < iend; i++) {
      let r = b * p.n + i;
      let qb = r * p.ldq + p.q_off + h * HD;
      let ob = r * p.H * HD + h * HD;
      var s = 0.0;
      var dp = 0.0;
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
    dkc[base + d] = dk[d] * p.scale;
    dvc[base + d] = dv[d];
  }
}

@compute @workgroup_size(WG)
fn kv_append_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flat(gid, nwg);
  if (t >= p.B * p.n * p.Hkv * HD) { return; }
  let d = t % HD;
  let g = (t / HD) % p.Hkv;
  let r = t / (HD * p.Hkv);
  let b = r / p.n;
  let i = r % p.n;
  let at = cache_at(b, g, state[0] + i) + d;
  dqkv[r * p.ldq + p.k_off + g * HD + d] = dkc[at];
  dqkv[r * p.ldq + p.v_off + g * HD + d] = dvc[at];
}
