// rope: rotary position embedding, Hugging Face rotate_half convention, partial rotary, in place.
//
// x is a wide row-major buffer [rows, ld] (for example the fused q|k|v projection). Head h < nHeads
// occupies columns col_offset + h*head_dim .. + head_dim; only its first rot_dim columns rotate,
// the rest (Pythia's rotary_pct < 1) pass through. With half = rot_dim/2 and row r at position
// pos = pos_offset + (r % seq_len) (rows are batch-major: B sequences of seq_len tokens):
//   forward:  out[j]      = x[j] cos_j - x[j+half] sin_j            (j < half)
//             out[j+half] = x[j+half] cos_j + x[j] sin_j
// Each (j, j+half) pair is a 2-D rotation by angle_j = pos*invFreq_j, so the backward (the
// transpose) is the rotation by -angle_j applied to the gradient buffer, also in place:
//   backward: g[j]        = g[j] cos_j + g[j+half] sin_j
//             g[j+half]   = g[j+half] cos_j - g[j] sin_j
// table is [maxPos, rot_dim]: row pos = cos_0..cos_{half-1}, sin_0..sin_{half-1}. It is built on the
// CPU in float64 (see ropeTable) because f32 pos*invFreq loses the angle at large positions.
//
// One invocation per (row, head, j < half): it owns both elements of its pair, so the in-place
// update has no races. The 1-D thread count is laid out on a 2-D grid (grid() in gpu.ts).

struct Params {
  rows: u32, seq_len: u32, pos_offset: u32, ld: u32, col_offset: u32,
  n_heads: u32, head_dim: u32, rot_dim: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;

const WG = 256u;

fn rotate(gid: vec3<u32>, nwg: vec3<u32>, sin_sign: f32) {
  let half = p.rot_dim / 2u;
  let i = gid.y * nwg.x * WG + gid.x;
  if (i >= p.rows * p.n_heads * half) { return; }
  let j = i % half;
  let h = (i / half) % p.n_heads;
  let r = i / (half * p.n_heads);
  let base = r * p.ld + p.col_offset + h * p.head_dim;
  let t = (p.pos_offset + r % p.seq_len) * p.rot_dim;
  let c = table[t + j];
  let s = sin_sign * table[t + half + j];
  let a = x[base + j];
  let b = x[base + j + half];
  x[base + j] = a * c - b * s;
  x[base + j + half] = b * c + a * s;
}

@compute @workgroup_size(WG)
fn rope_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  rotate(gid, nwg, 1.0);
}

@compute @workgroup_size(WG)
fn rope_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  rotate(gid, nwg, -1.0);
}
