// embedding: gather rows of a token-embedding table that may be split by rows into chunks.
//
// The table [V, dim] can exceed one storage binding (50k x 768 f32 is 154 MB; many GPUs bind only
// 128 MiB), so the caller splits it by rows and records one dispatch per chunk. A chunk holds table
// rows [row_start, row_start + chunk_rows) as its own [chunk_rows, dim] tensor.
//   forward:  out[r, :] = scale · table[ids[r] - row_start, :]  for rows whose id falls in this
//             chunk; other rows (other chunks, or ids[r] == NONE) are left untouched.
//   backward: dtable[i, :] += scale · (sum over r with ids[r] == row_start + i of dout[r, :])
// scale is 1 except for Gemma's token embeddings, which the model multiplies by sqrt(hidden) as it
// looks them up (never the proto-token inputs, which bypass this op).
// The backward uses no float atomics, so it is deterministic: one invocation per (table row,
// column) scans all ids and sums in row order. It is O(chunk_rows * dim * rows), acceptable because
// the frozen model never calls it (weights get no gradient); it exists so the op is complete.
// The table is a weight matrix read through w1 of its storage format (shaders/weights/*.wgsl,
// appended to this file); its rows are ld elements apart (ld >= dim: quantized rows are padded).
// ids are u32 [rows]; out and dout are row-major [rows, dim]. Both entry points use a 2-D grid of
// 1-D work (grid() in gpu.ts).

struct Params { rows: u32, dim: u32, row_start: u32, chunk_rows: u32, ld: u32, scale: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> dtable: array<f32>;

const WG = 256u;
const NONE = 0xffffffffu;

fn flat(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * nwg.x * WG + gid.x;
}

@compute @workgroup_size(WG)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.rows * p.dim) { return; }
  let r = i / p.dim;
  let c = i % p.dim;
  let id = ids[r];
  // Compare before subtracting: id - row_start would wrap for ids below the chunk (and for NONE).
  if (id == NONE || id < p.row_start || id - p.row_start >= p.chunk_rows) { return; }
  out[i] = p.scale * w1((id - p.row_start) * p.ld + c);
}

@compute @workgroup_size(WG)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat(gid, nwg);
  if (i >= p.chunk_rows * p.dim) { return; }
  let want = p.row_start + i / p.dim;
  let c = i % p.dim;
  var acc = 0.0;
  var hit = false;
  for (var r = 0u; r < p.rows; r++) {
    if (ids[r] == want) {
      acc += dout[r * p.dim + c];
      hit = true;
    }
  }
  // Rows no id refers to are not even read back, so untouched chunks cost no memory traffic.
  if (hit) { dtable[i] += p.scale * acc; }
}
