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
//   reduce:   per sequence b of N rows (rows are batch-major): item_loss[b] = sum loss,
//             item_correct[b] = #rows with targets != NONE and argmax == target.
// Rows are spread over a 2-D grid of workgroups (grid() in gpu.ts) when there are many.

struct Params {
  rows: u32, vc: u32, v0: u32, ldl: u32,
  B: u32, N: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> logits: array<f32>;
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

@compute @workgroup_size(WG_ROW)
fn ce_chunk_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
  // Uniform per workgroup, so the early return keeps the barriers below in uniform control flow.
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
  let t = targets[r];
  if (t != NONE && t >= p.v0 && t - p.v0 < p.vc) {
    state[3u * r + 2u] = logits[row + t - p.v0];
  }
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
