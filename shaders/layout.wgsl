// layout: builds the model input from the trainable proto-token vectors, and routes its gradient back.
//
// params [P, dim] holds every trainable vector (e, m, ... for several restarts or texts). index
// u32 [rows] names the params row that feeds each input row (rows = B*N, batch-major), or NONE for
// rows filled elsewhere (token embeddings, e.g. the memory-token baseline), which stay untouched.
//   forward:  out[r, :] = params[index[r], :]                      (index[r] != NONE)
//   backward: dparams[q, :] = sum over r with index[r] == q of dout[r, :]   (overwrites dparams)
// A params row typically feeds many input rows (m is repeated N-1 times). To sum without float
// atomics, deterministically, the caller passes the inverse index in CSR form, built once on the
// CPU (invertIndex): rows_of [rows] lists input rows grouped by params row, offsets [P+1] delimits
// the groups. One invocation per (params row, column) sums its group in order.

struct Params { rows: u32, dim: u32, P: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> index: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read> offsets: array<u32>;
@group(0) @binding(6) var<storage, read> rows_of: array<u32>;
@group(0) @binding(7) var<storage, read_write> dparams: array<f32>;

const WG = 256u;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * nwg.x * WG + gid.x;
}

@compute @workgroup_size(WG)
fn layout_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.rows * p.dim) { return; }
  let q = index[i / p.dim];
  // q >= P also covers NONE.
  if (q >= p.P) { return; }
  out[i] = params[q * p.dim + i % p.dim];
}

@compute @workgroup_size(WG)
fn layout_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.P * p.dim) { return; }
  let q = i / p.dim;
  let c = i % p.dim;
  var acc = 0.0;
  for (var k = offsets[q]; k < offsets[q + 1u]; k++) {
    acc += dout[rows_of[k] * p.dim + c];
  }
  dparams[i] = acc;
}
