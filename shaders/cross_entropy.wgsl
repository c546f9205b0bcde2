// cross_entropy: softmax cross-entropy with one target per row, streamed over vocabulary chunks.
//
// The logits [rows, V] are never materialised at once (V*rows*4 bytes is gigabytes for a long text
// and a 128k vocabulary): the LM head writes one chunk [rows, vc] (row stride ldl) covering
// vocabulary ids [v0, v0 + vc), and this kernel folds it into a running per-row state:
//   state[r] = (m, s, t) with m = max logit so far, s = sum exp(l - m) so far, t = the target logit;
//   argmax[r] = vocabulary id of the largest logit so far (ties: the smallest id, like torch.argmax).
//   reset:    argmax = NONE marks "no chunk seen yet"; state = 0.
//   forward:  per chunk, one workgroup per row: each thread keeps an online (max, sum, argmax) over a
//             strided slice, a tree reduction merges them, thread 0 merges into state[r] with
//             s = s_a exp(m_a - m) + s_b exp(m_b - m). Empty partials carry index NONE instead of a
//             -inf max, so no infinities are needed (WGSL has no portable -inf literal).
//   finalize: loss[r] = m + log(s) - t, 0 where targets[r] == NONE.
//   backward: per chunk, in place: dlogits = softmax - onehot(target) = exp(l - m)/s - [v == target],
//             the gradient of sum_r loss[r]; NONE rows get 0. Needs the finalized state.
//   forward and backward come in two forms: scalar, and _vec4 (4 logits per load) where the chunk's
//   width and row stride are multiples of 4 (src/ops/cross-entropy.ts, ceChunkVec4).
//   reduce:   per sequence b of N rows (rows are batch-major): item_loss[b] = sum loss,
//             item_correct[b] = #rows with targets != NONE and argmax == target.
// Rows are spread over a 2-D grid of workgroups (grid() in gpu.ts) when there are many.

struct Params {
  rows: u32, vc: u32, v0: u32, ldl: u32,
  B: u32, N: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> logits: array<f32>;
// The same chunk as vec4s, for the _vec4 entry points (no entry point uses both views).
@group(0) @binding(1) var<storage, read_write> logits4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
@group(0) @binding(4) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;
@group(0) @binding(6) var<storage, read_write> item_loss: array<f32>;
@group(0) @binding(7) var<storage, read_write> item_correct: array<u32>;

// Threads per row in forward/backward; a power of two for the tree reduction. Chosen per adapter:
// CPU emulators pay a context switch per invocation at every barrier, so they get a few lanes.
override WG_ROW: u32 = 256u;
// Threads per workgroup of the per-row and per-sequence kernels.
const WG = 64u;
const NONE = 0xffffffffu;

var<workgroup> red_m: array<f32, WG_ROW>;
var<workgroup> red_s: array<f32, WG_ROW>;
var<workgroup> red_a: array<u32, WG_ROW>;

struct Partial { m: f32, s: f32, a: u32 }

fn merge(x: Partial, y: Partial) -> Partial {
  if (y.a == NONE) { return x; }
  if (x.a == NONE) { return y; }
  let m = max(x.m, y.m);
  var a = min(x.a, y.a);
  if (x.m > y.m) { a = x.a; } else if (y.m > x.m) { a = y.a; }
  return Partial(m, x.s * exp(x.m - m) + y.s * exp(y.m - m), a);
}

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * nwg.x * WG + gid.x;
}

@compute @workgroup_size(WG)
fn ce_reset(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat(gid, nwg);
  if (r >= p.rows) { return; }
  state[3u * r] = 0.0;
  state[3u * r + 1u] = 0.0;
  state[3u * r + 2u] = 0.0;
  argmax[r] = NONE;
}

// Merges the threads' partials of row r (tree reduction) and folds them into state[r] and argmax[r].
// Called by every thread of the workgroup, in uniform control flow (it has barriers).
fn fold_row(r: u32, lid: u32, acc: Partial) {
  red_m[lid] = acc.m;
  red_s[lid] = acc.s;
  red_a[lid] = acc.a;
  workgroupBarrier();
  for (var stride = WG_ROW / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let x = merge(Partial(red_m[lid], red_s[lid], red_a[lid]),
                    Partial(red_m[lid + stride], red_s[lid + stride], red_a[lid + stride]));
      red_m[lid] = x.m;
      red_s[lid] = x.s;
      red_a[lid] = x.a;
    }
    workgroupBarrier();
  }
  if (lid != 0u || red_a[0] == NONE) { return; }
  let chunk = Partial(red_m[0], red_s[0], red_a[0] + p.v0);
  let merged = merge(Partial(state[3u * r], state[3u * r + 1u], argmax[r]), chunk);
  state[3u * r] = merged.m;
  state[3u * r + 1u] = merged.s;
  argmax[r] = merged.a;
}

// Where row r's target falls in this chunk (an index into the chunk), or NONE.
fn target_in_chunk(r: u32) -> u32 {
  let t = targets[r];
  return select(NONE, t - p.v0, t != NONE && t >= p.v0 && t - p.v0 < p.vc);
}

@compute @workgroup_size(WG_ROW)
fn ce_chunk_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
  // Uniform per workgroup, so the early return keeps the barriers in uniform control flow.
  let r = wg.y * nwg.x + wg.x;
  if (r >= p.rows) { return; }
  let row = r * p.ldl;

  var acc = Partial(0.0, 0.0, NONE);
  for (var j = lid; j < p.vc; j += WG_ROW) {
    let l = logits[row + j];
    if (acc.a == NONE) {
      acc = Partial(l, 1.0, j);
    } else if (l > acc.m) {
      // Strictly greater: the earlier (smaller) index keeps a tie.
      acc = Partial(l, acc.s * exp(acc.m - l) + 1.0, j);
    } else {
      acc.s += exp(l - acc.m);
    }
  }
  fold_row(r, lid, acc);
  let t = target_in_chunk(r);
  if (lid == 0u && t != NONE) { state[3u * r + 2u] = logits[row + t]; }
}

// Thread lid's online (max, sum, argmax) over the chunk's vec4s lid, lid + WG_ROW, ... of row r
// (vc and ldl multiples of 4). Why a second form: on CPU emulators each scalar load is a
// bounds-checked gather and the scalar loop's data-dependent branch runs both sides for the
// SIMD group; here a thread takes 4 logits per load and rescales its sum only when the max
// grows (rare after the first few loads), one exp per logit otherwise.
fn chunk_partial4(row4: u32, lid: u32) -> Partial {
  let n4 = p.vc / 4u;
  if (lid >= n4) { return Partial(0.0, 0.0, NONE); }
  var l = logits4[row4 + lid];
  var m = max(max(l.x, l.y), max(l.z, l.w));
  var a = 4u * lid + first_equal(l, m);
  var s = dot(exp(l - m), vec4<f32>(1.0));
  for (var j = lid + WG_ROW; j < n4; j += WG_ROW) {
    l = logits4[row4 + j];
    let lm = max(max(l.x, l.y), max(l.z, l.w));
    if (lm > m) {
      // Strictly greater: an earlier (smaller) index keeps a tie.
      s *= exp(m - lm);
      m = lm;
      a = 4u * j + first_equal(l, lm);
    }
    s += dot(exp(l - m), vec4<f32>(1.0));
  }
  return Partial(m, s, a);
}

// Index (0-3) of the first component of l equal to m.
fn first_equal(l: vec4<f32>, m: f32) -> u32 {
  return select(select(select(3u, 2u, l.z == m), 1u, l.y == m), 0u, l.x == m);
}

@compute @workgroup_size(WG_ROW)
fn ce_chunk_forward_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
  let r = wg.y * nwg.x + wg.x;
  if (r >= p.rows) { return; }
  let row = r * p.ldl;
  fold_row(r, lid, chunk_partial4(row / 4u, lid));
  let t = target_in_chunk(r);
  if (lid == 0u && t != NONE) { state[3u * r + 2u] = logits4[(row + t) / 4u][(row + t) % 4u]; }
}

@compute @workgroup_size(WG)
fn ce_finalize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat(gid, nwg);
  if (r >= p.rows) { return; }
  var l = 0.0;
  if (targets[r] != NONE) {
    l = state[3u * r] + log(state[3u * r + 1u]) - state[3u * r + 2u];
  }
  loss[r] = l;
}

@compute @workgroup_size(WG_ROW)
fn ce_chunk_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
  let r = wg.y * nwg.x + wg.x;
  if (r >= p.rows) { return; }
  let row = r * p.ldl;
  let t = targets[r];
  if (t == NONE) {
    for (var j = lid; j < p.vc; j += WG_ROW) { logits[row + j] = 0.0; }
    return;
  }
  let m = state[3u * r];
  let inv_s = 1.0 / state[3u * r + 1u];
  for (var j = lid; j < p.vc; j += WG_ROW) {
    var g = exp(logits[row + j] - m) * inv_s;
    if (p.v0 + j == t) { g -= 1.0; }
    logits[row + j] = g;
  }
}

// ce_chunk_backward on vec4s (vc and ldl multiples of 4), for the reasons of chunk_partial4.
@compute @workgroup_size(WG_ROW)
fn ce_chunk_backward_vec4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                          @builtin(local_invocation_index) lid: u32) {
  let r = wg.y * nwg.x + wg.x;
  if (r >= p.rows) { return; }
  let row4 = r * p.ldl / 4u;
  let n4 = p.vc / 4u;
  let t = targets[r];
  if (t == NONE) {
    for (var j = lid; j < n4; j += WG_ROW) { logits4[row4 + j] = vec4<f32>(0.0); }
    return;
  }
  let m = state[3u * r];
  let inv_s = 1.0 / state[3u * r + 1u];
  // The target's place in the chunk, as (vec4 index, component); outside the chunk it matches nothing.
  let tl = target_in_chunk(r);
  let t4 = select(NONE, tl / 4u, tl != NONE);
  let onehot = vec4<f32>(vec4<u32>(0u, 1u, 2u, 3u) == vec4<u32>(tl % 4u));
  for (var j = lid; j < n4; j += WG_ROW) {
    var g = exp(logits4[row4 + j] - m) * inv_s;
    if (j == t4) { g -= onehot; }
    logits4[row4 + j] = g;
  }
}

@compute @workgroup_size(WG)
fn ce_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat(gid, nwg);
  if (b >= p.B) { return; }
  var total = 0.0;
  var correct = 0u;
  for (var i = 0u; i < p.N; i++) {
    let r = b * p.N + i;
    total += loss[r];
    let t = targets[r];
    if (t != NONE && argmax[r] == t) { correct++; }
  }
  item_loss[b] = total;
  item_correct[b] = correct;
}
