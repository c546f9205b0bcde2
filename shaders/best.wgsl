// best: keep, per item, the best proto-tokens seen during optimisation.
//
// The paper keeps the best-accuracy vectors, not the last ones. Deciding that on the CPU would
// mean reading metrics back every step; instead the step program itself keeps a copy on the GPU.
// It runs right after the forward pass, so the metrics describe the params that produced them
// (before this step's update); `step[0]` counts the updates done so far, i.e. names those params.
//
// Not a differentiable op: no backward. Layout:
//   item_correct u32 [B], item_loss f32 [B]      this step's metrics (from ce_reduce)
//   best_correct u32 [B], best_loss f32 [B], best_step u32 [B] (NONE until the first step)
//   improved u32 [B]                             scratch: decide → copy
//   params [P, dim]; rows u32 [B, K]: the params rows of item b (e, m, ...)
//   best_params [B, K, dim]
// An item improves when it has no best yet, more correct tokens, or as many with a lower loss.

struct Params { B: u32, K: u32, dim: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> item_correct: array<u32>;
@group(0) @binding(2) var<storage, read> item_loss: array<f32>;
@group(0) @binding(3) var<storage, read> step: array<u32>;
@group(0) @binding(4) var<storage, read_write> best_correct: array<u32>;
@group(0) @binding(5) var<storage, read_write> best_loss: array<f32>;
@group(0) @binding(6) var<storage, read_write> best_step: array<u32>;
@group(0) @binding(7) var<storage, read_write> improved: array<u32>;
@group(0) @binding(8) var<storage, read> params: array<f32>;
@group(0) @binding(9) var<storage, read> rows: array<u32>;
@group(0) @binding(10) var<storage, read_write> best_params: array<f32>;

const NONE: u32 = 0xffffffffu;

@compute @workgroup_size(64)
fn best_decide(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= p.B) { return; }
  let c = item_correct[b];
  let l = item_loss[b];
  // A non-finite loss never becomes the best: the last good params stay.
  let finite = l == l && abs(l) < 3.0e38;
  let better = best_step[b] == NONE || c > best_correct[b] || (c == best_correct[b] && l < best_loss[b]);
  if (finite && better) {
    best_correct[b] = c;
    best_loss[b] = l;
    best_step[b] = step[0];
    improved[b] = 1u;
  } else {
    improved[b] = 0u;
  }
}

@compute @workgroup_size(64)
fn best_copy(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.B * p.K * p.dim) { return; }
  let j = i % p.dim;
  let bk = i / p.dim;
  let b = bk / p.K;
  if (improved[b] == 1u) {
    best_params[i] = params[rows[bk] * p.dim + j];
  }
}
