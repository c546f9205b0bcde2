// norm: RMSNorm (Llama) and LayerNorm (GPT-NeoX), forward and input-gradient backward.
//
// x, y, dy, dx are row-major [rows, dim] (or a strided view of rows, below); w, b are [dim]; mean,
// rstd are [rows]. One workgroup owns one row (rows past 65535 use a 2-D grid: row = wg.y *
// num_workgroups.x + wg.x). Each of the WG invocations sums a strided slice of the row, then a
// workgroup-memory tree (WG a power of two) combines the partial sums, so wide rows (hidden 8192)
// use the whole workgroup.
//
// RMSNorm, as Hugging Face LlamaRMSNorm in f32:
//   r = 1/sqrt(mean_j x_j^2 + eps),  y_j = (x_j r) w_j,  rstd[row] = r
//   backward, with g_j = dy_j w_j:  dx_k = r (g_k - x_k r^2 (sum_j g_j x_j) / dim)
// LayerNorm, as torch.nn.LayerNorm (biased variance, computed in two passes so a large mean does
// not cancel the variance away):
//   m = mean_j x_j,  r = 1/sqrt(mean_j (x_j - m)^2 + eps),  xh_j = (x_j - m) r,  y_j = xh_j w_j + b_j
//   backward:  dx_k = r (g_k - mean_j g_j - xh_k mean_j (g_j xh_j))
// Weights are frozen: no dw or db. With accumulate = 1 the backward adds into dx, because the
// residual stream there already holds the gradient of the skip path.
//
// The *_rows entry points compute the same with one invocation per row and ROWS_WG rows per
// workgroup: no workgroup memory and no barriers. On CPU emulators a barrier suspends and resumes
// every SIMD group of the workgroup and each workgroup has a fixed start-up cost, so for the model
// widths there (up to a few thousand) a serial loop per row is faster (src/ops/norm.ts picks).
//
// Strided rows view: row i of x, y, dy and dx starts at
//   (i / heads)·ld + col_offset + (i % heads)·dim
// so one dispatch can normalise every head of a fused [R, ld] buffer (Qwen3's per-head q_norm and
// k_norm over the q heads or the k heads of q | k | v: heads = H, col_offset = 0, or heads = Hkv,
// col_offset = H·dim). Plain rows are ld = dim, col_offset = 0, heads = 1. Elements outside the view
// are neither read nor written; mean and rstd stay indexed by view row.
//
// Bindings per entry point (the same number names different buffers in different entry points):
//   rmsnorm_forward    1 x, 2 w, 3 y, 4 rstd
//   layernorm_forward  1 x, 2 w, 3 y, 4 rstd, 5 b, 6 mean
//   rmsnorm_backward   1 x, 2 w, 3 rstd, 4 dy, 5 dx
//   layernorm_backward 1 x, 2 w, 3 rstd, 4 dy, 5 dx, 6 mean

struct Params {
  rows: u32,
  dim: u32,
  eps: f32,
  accumulate: u32,
  ld: u32,
  col_offset: u32,
  heads: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd_out: array<f32>;
@group(0) @binding(5) var<storage, read> b: array<f32>;
@group(0) @binding(6) var<storage, read_write> mean_out: array<f32>;

@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read> mean_in: array<f32>;

override WG: u32 = 256;  // invocations per row; must be a power of two for the tree

var<workgroup> red: array<vec2<f32>, WG>;

// Sums v over the workgroup; every invocation gets the total. The trailing barrier lets the
// caller start another reduction without overwriting red[0] before everyone has read it.
fn block_sum2(v: vec2<f32>, lid: u32) -> vec2<f32> {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

fn block_sum(v: f32, lid: u32) -> f32 {
  return block_sum2(vec2<f32>(v, 0.0), lid).x;
}

// First element of view row `row` (see the header).
fn row_base(row: u32) -> u32 {
  return (row / p.heads) * p.ld + p.col_offset + (row % p.heads) * p.dim;
}

fn row_index(wg: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wg.y * nwg.x + wg.x;
}

fn store_dx(i: u32, v: f32) {
  if (p.accumulate == 1u) { dx[i] += v; } else { dx[i] = v; }
}

@compute @workgroup_size(WG)
fn rmsnorm_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = row_index(wg, nwg);
  if (row >= p.rows) { return; }  // uniform per workgroup, so the barriers below stay legal
  let lid = lid3.x;
  let base = row_base(row);
  var ss = 0.0;
  for (var j = lid; j < p.dim; j += WG) {
    let v = x[base + j];
    ss = fma(v, v, ss);
  }
  let r = inverseSqrt(block_sum(ss, lid) / f32(p.dim) + p.eps);
  for (var j = lid; j < p.dim; j += WG) {
    y[base + j] = (x[base + j] * r) * w[j];
  }
  if (lid == 0u) { rstd_out[row] = r; }
}

@compute @workgroup_size(WG)
fn rmsnorm_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = row_index(wg, nwg);
  if (row >= p.rows) { return; }
  let lid = lid3.x;
  let base = row_base(row);
  let r = rstd_in[row];
  var gx = 0.0;
  for (var j = lid; j < p.dim; j += WG) {
    gx = fma(dy[base + j] * w[j], x[base + j], gx);
  }
  let c = r * r * block_sum(gx, lid) / f32(p.dim);
  for (var j = lid; j < p.dim; j += WG) {
    let i = base + j;
    store_dx(i, r * (dy[i] * w[j] - x[i] * c));
  }
}

@compute @workgroup_size(WG)
fn layernorm_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = row_index(wg, nwg);
  if (row >= p.rows) { return; }
  let lid = lid3.x;
  let base = row_base(row);
  let n = f32(p.dim);
  var s = 0.0;
  for (var j = lid; j < p.dim; j += WG) { s += x[base + j]; }
  let m = block_sum(s, lid) / n;
  var ss = 0.0;
  for (var j = lid; j < p.dim; j += WG) {
    let d = x[base + j] - m;
    ss = fma(d, d, ss);
  }
  let r = inverseSqrt(block_sum(ss, lid) / n + p.eps);
  for (var j = lid; j < p.dim; j += WG) {
    y[base + j] = fma((x[base + j] - m) * r, w[j], b[j]);
  }
  if (lid == 0u) {
    mean_out[row] = m;
    rstd_out[row] = r;
  }
}

@compute @workgroup_size(WG)
fn layernorm_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = row_index(wg, nwg);
  if (row >= p.rows) { return; }
  let lid = lid3.x;
  let base = row_base(row);
  let n = f32(p.dim);
  let m = mean_in[row];
  let r = rstd_in[row];
  var acc = vec2<f32>(0.0, 0.0);  // (sum g, sum g xh)
  for (var j = lid; j < p.dim; j += WG) {
    let g = dy[base + j] * w[j];
    acc += vec2<f32>(g, g * ((x[base + j] - m) * r));
  }
  let sums = block_sum2(acc, lid) / n;
  for (var j = lid; j < p.dim; j += WG) {
    let i = base + j;
    let xh = (x[i] - m) * r;
    store_dx(i, r * (dy[i] * w[j] - sums.x - xh * sums.y));
  }
}

// ---- one invocation per row ----

override ROWS_WG: u32 = 16;

fn row_of(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wg.y * nwg.x + wg.x) * ROWS_WG + lid;
}

@compute @workgroup_size(ROWS_WG)
fn rmsnorm_forward_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wg, nwg, lid);
  if (row >= p.rows) { return; }
  let base = row_base(row);
  var ss = 0.0;
  for (var j = 0u; j < p.dim; j++) {
    let v = x[base + j];
    ss = fma(v, v, ss);
  }
  let r = inverseSqrt(ss / f32(p.dim) + p.eps);
  for (var j = 0u; j < p.dim; j++) {
    y[base + j] = (x[base + j] * r) * w[j];
  }
  rstd_out[row] = r;
}

@compute @workgroup_size(ROWS_WG)
fn rmsnorm_backward_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wg, nwg, lid);
  if (row >= p.rows) { return; }
  let base = row_base(row);
  let r = rstd_in[row];
  var gx = 0.0;
  for (var j = 0u; j < p.dim; j++) {
    gx = fma(dy[base + j] * w[j], x[base + j], gx);
  }
  let c = r * r * gx / f32(p.dim);
  for (var j = 0u; j < p.dim; j++) {
    let i = base + j;
    store_dx(i, r * (dy[i] * w[j] - x[i] * c));
  }
}

@compute @workgroup_size(ROWS_WG)
fn layernorm_forward_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                          @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wg, nwg, lid);
  if (row >= p.rows) { return; }
  let base = row_base(row);
  let n = f32(p.dim);
  var s = 0.0;
  for (var j = 0u; j < p.dim; j++) { s += x[base + j]; }
  let m = s / n;
  var ss = 0.0;
  for (var j = 0u; j < p.dim; j++) {
    let d = x[base + j] - m;
    ss = fma(d, d, ss);
  }
  let r = inverseSqrt(ss / n + p.eps);
  for (var j = 0u; j < p.dim; j++) {
    y[base + j] = fma((x[base + j] - m) * r, w[j], b[j]);
  }
  mean_out[row] = m;
  rstd_out[row] = r;
}

@compute @workgroup_size(ROWS_WG)
fn layernorm_backward_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wg, nwg, lid);
  if (row >= p.rows) { return; }
  let base = row_base(row);
  let n = f32(p.dim);
  let m = mean_in[row];
  let r = rstd_in[row];
  var acc = vec2<f32>(0.0, 0.0);  // (sum g, sum g xh)
  for (var j = 0u; j < p.dim; j++) {
    let g = dy[base + j] * w[j];
    acc += vec2<f32>(g, g * ((x[base + j] - m) * r));
  }
  let sums = acc / n;
  for (var j = 0u; j < p.dim; j++) {
    let i = base + j;
    let xh = (x[i] - m) * r;
    store_dx(i, r * (dy[i] * w[j] - sums.x - xh * sums.y));
  }
}
