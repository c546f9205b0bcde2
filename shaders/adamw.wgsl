// adamw: PyTorch AdamW (decoupled weight decay) on n trainable parameters, in place.
//
// With t = step[0] (1-based, already incremented), for each parameter i:
//   p -= lr*wd*p
//   m  = b1 m + (1-b1) g
//   v  = b2 v + (1-b2) g^2
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Parameters are rows of dim values (params, grads, m, v all [n/dim, dim]). With has_mask = 1,
// rows whose row_mask entry is 0 are frozen (a fixed, reused m vector): p, m and v stay untouched.
// The step counter lives on the GPU so a whole optimisation step (forward, backward, update) is one
// recorded submission with no CPU writes: adamw_tick (one thread) increments it, then adamw_update
// reads it. There is no backward: this is the optimiser, not a differentiable op.

struct Params {
  n: u32, dim: u32, has_mask: u32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read> step: array<u32>;
@group(0) @binding(6) var<storage, read> row_mask: array<u32>;
@group(0) @binding(7) var<storage, read_write> step_counter: array<u32>;

const WG = 256u;

@compute @workgroup_size(1)
fn adamw_tick() {
  // The uniform is bound for every dispatch (Program's convention), so the layout must include it.
  _ = p.n;
  step_counter[0] += 1u;
}

@compute @workgroup_size(WG)
fn adamw_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.y * nwg.x * WG + gid.x;
  if (i >= p.n) { return; }
  // The mask is read only when present; otherwise the binding is a stand-in buffer.
  if (p.has_mask == 1u && row_mask[i / p.dim] == 0u) { return; }
  let t = f32(step[0]);
  let g = grads[i];
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let bc1 = 1.0 - pow(p.beta1, t);
  let bc2 = 1.0 - pow(p.beta2, t);
  let decayed = params[i] * (1.0 - p.lr * p.weight_decay);
  params[i] = decayed - p.lr * (mi / bc1) / (sqrt(vi / bc2) + p.eps);
}
