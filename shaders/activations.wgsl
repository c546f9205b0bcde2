// activations: exact GELU (GPT-NeoX), tanh GELU (GPT-2), SwiGLU (Llama MLP) and GeGLU (Gemma MLP),
// forward and input-gradient backward.
//
// GELU, as torch.nn.functional.gelu (erf form), elementwise over n values:
//   y = x Φ(x),  Φ(x) = (1 + erf(x/√2)) / 2
//   backward: dx = dy (Φ(x) + x φ(x)),  φ(x) = exp(-x²/2) / √(2π)
// tanh GELU, as transformers' gelu_new (= gelu(approximate='tanh')), elementwise over n values:
//   y = x (1 + tanh(u)) / 2,  u = √(2/π) (x + 0.044715 x³)
//   computed as y = x σ(2u), the same function ((1 + tanh(u)) / 2 = σ(2u)) without the cancellation
//   of 1 + tanh(u) on the left tail;
//   backward: dx = dy (σ(2u) + x σ(2u) σ(-2u) 2u'),  u' = √(2/π) (1 + 3·0.044715 x²)
//   (σ(2u)(1 - σ(2u)) taken as σ(2u) σ(-2u), both from the stable sigmoid, so it keeps its relative
//   precision where it is tiny; past |2u| = 80, i.e. |x| > 9.3, that term is below e^-80 (|x| + |x|³)
//   and is dropped, so x³ overflowing to infinity cannot turn it into NaN; σ(2u) itself is taken as
//   0 below 2u = -80 (gelu_tanh_cdf), so y and dx are exactly 0 and 1 far out on either side).
// SwiGLU: gu is [rows, 2·inter], gate in columns [0, inter), up in [inter, 2·inter) (gate_proj and
// up_proj run as one matmul); h is [rows, inter]:
//   h = silu(g) u,  silu(g) = g σ(g)
//   backward, dgu [rows, 2·inter] overwritten:  dg = dh u σ(g) (1 + g (1 - σ(g))),  du = dh silu(g)
// GeGLU (Gemma's gelu_pytorch_tanh): the same layout with the tanh GELU as the gate's activation:
//   h = gelu_tanh(g) u;  backward: dg = dh u gelu_tanh'(g),  du = dh gelu_tanh(g)
//
// WGSL has no erf. erf_f32 is piecewise: |t| < 1: t + t·P(t²) (degree 6, the leading t kept exact
// so rounding stays below an ulp); 1 <= |t| < 4: 1 - erfc(|t|) with erfc as a degree-10 (|t| < 2.5)
// or degree-8 (|t| >= 2.5) polynomial in |t| - centre; |t| >= 4: ±1 (erfc(4) = 1.5e-8 is below
// half an f32 ulp of 1). The fits (weighted least squares towards minimax) are within 6e-9 of erf
// in exact arithmetic; evaluated in f32 the error is at most 8.5e-8 absolute (measured against
// mpmath on 3e5 points of [0, 6] with f32 rounding after every operation). Φ takes the erfc
// polynomials directly for |x| > √2, so on the left tail GELU's error is ~1e-8·|x| rather than
// the ~6e-8·|x| that the cancellation in 1 + erf would cost (measured on SwiftShader:
// |y - y_exact| <= 1.0e-7·|x| overall, |dx - dx_exact| <= 1.7e-7·|dy|).
//
// Elementwise threads: WG per workgroup, flat index over a 2-D grid (i = (wg.y·nwg.x + wg.x)·WG +
// lid) so n may exceed 65535·WG.
//
// Bindings: gelu_forward, gelu_tanh_forward 1 x, 2 y;  gelu_backward, gelu_tanh_backward 1 x, 2 dy, 3 dx;
//           swiglu_forward, geglu_forward 1 gu, 2 h;  swiglu_backward, geglu_backward 1 gu, 2 dh, 3 dgu.

struct Params {
  n: u32,      // elements of the output (gelu: x; swiglu: h, i.e. rows·inter)
  inter: u32,  // swiglu only
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

override WG: u32 = 256;

const FRAC_1_SQRT_2: f32 = 0.70710678118654752;
const FRAC_1_SQRT_2PI: f32 = 0.39894228040143268;
const SQRT_2_OVER_PI: f32 = 0.79788456080286536;
const GELU_TANH_C: f32 = 0.044715;

// erf(t) / t - 1 on |t| < 1, as a polynomial in t².
fn erf_small_rest(t2: f32) -> f32 {
  var r = 7.889478e-05;
  r = fma(r, t2, -8.020957e-04);
  r = fma(r, t2, 5.1895496e-03);
  r = fma(r, t2, -2.6854454e-02);
  r = fma(r, t2, 1.12836e-01);
  r = fma(r, t2, -3.7612626e-01);
  return fma(r, t2, 1.2837917e-01);
}

// erfc(a) for a >= 1.
fn erfc_tail(a: f32) -> f32 {
  if (a >= 4.0) { return 0.0; }
  if (a < 2.5) {
    let s = a - 1.75;
    var r = 3.2880105e-04;
    r = fma(r, s, -8.634513e-04);
    r = fma(r, s, -6.5485644e-04);
    r = fma(r, s, 6.038204e-03);
    r = fma(r, s, -8.986413e-03);
    r = fma(r, s, -6.6190697e-03);
    r = fma(r, s, 4.810554e-02);
    r = fma(r, s, -9.0157814e-02);
    r = fma(r, s, 9.235606e-02);
    r = fma(r, s, -5.277498e-02);
    return fma(r, s, 1.3328331e-02);
  }
  let s = a - 3.25;
  var r = 8.234078e-05;
  r = fma(r, s, -1.992e-04);
  r = fma(r, s, 2.6365512e-04);
  r = fma(r, s, -3.020366e-04);
  r = fma(r, s, 2.8648844e-04);
  r = fma(r, s, -1.9759663e-04);
  r = fma(r, s, 9.487289e-05);
  r = fma(r, s, -2.9115261e-05);
  return fma(r, s, 4.302659e-06);
}

fn erf_f32(t: f32) -> f32 {
  let a = abs(t);
  if (a < 1.0) { return fma(t, erf_small_rest(t * t), t); }
  return sign(t) * (1.0 - erfc_tail(a));
}

// Standard normal CDF Φ(x) = erfc(-x/√2) / 2.
fn normal_cdf(x: f32) -> f32 {
  let t = x * FRAC_1_SQRT_2;
  if (abs(t) < 1.0) { return 0.5 + 0.5 * erf_f32(t); }
  let half_tail = 0.5 * erfc_tail(abs(t));
  return select(1.0 - half_tail, half_tail, t < 0.0);
}

fn flat_index(wg: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG + lid.x;
}

// σ(g) from exp(-|g|) so exp never overflows; |g| capped so exp never sees a huge argument
// (σ's error from the cap is below 1e-34).
fn sigmoid(g: f32) -> f32 {
  let e = exp(-min(abs(g), 80.0));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}

@compute @workgroup_size(WG)
fn gelu_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let v = x[i];
  y[i] = v * normal_cdf(v);
}

@compute @workgroup_size(WG)
fn gelu_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let v = x[i];
  // Past |x| = 16, x φ(x) < 1e-54 is zero in f32; skipping it keeps exp's argument moderate.
  let pdf = select(FRAC_1_SQRT_2PI * exp(-0.5 * v * v), 0.0, abs(v) > 16.0);
  dx[i] = dy[i] * fma(v, pdf, normal_cdf(v));
}

// 2u = 2√(2/π)(x + 0.044715 x³) of the tanh GELU.
fn gelu_tanh_2u(v: f32) -> f32 {
  return 2.0 * SQRT_2_OVER_PI * fma(GELU_TANH_C * v * v, v, v);
}

// σ(2u), 0 below 2u = -80 (x < -9.3), where it is under e^-80: the capped sigmoid's e^-80 times a
// huge |x| would not be.
fn gelu_tanh_cdf(t: f32) -> f32 {
  return select(sigmoid(t), 0.0, t < -80.0);
}

fn gelu_tanh(v: f32) -> f32 {
  return v * gelu_tanh_cdf(gelu_tanh_2u(v));
}

// d gelu_tanh / dx = σ(2u) + x σ(2u) σ(-2u) 2u'.
fn gelu_tanh_grad(v: f32) -> f32 {
  let t = gelu_tanh_2u(v);
  let s = gelu_tanh_cdf(t);
  let du2 = 2.0 * SQRT_2_OVER_PI * fma(3.0 * GELU_TANH_C * v, v, 1.0);
  let tail = select(v * s * sigmoid(-t) * du2, 0.0, abs(t) > 80.0);
  return s + tail;
}

@compute @workgroup_size(WG)
fn gelu_tanh_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  y[i] = gelu_tanh(x[i]);
}

@compute @workgroup_size(WG)
fn gelu_tanh_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  dx[i] = dy[i] * gelu_tanh_grad(x[i]);
}

@compute @workgroup_size(WG)
fn swiglu_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let r = i / p.inter;
  let gi = i + r * p.inter;  // = r·2·inter + (i - r·inter)
  let g = x[gi];
  y[i] = g * sigmoid(g) * x[gi + p.inter];
}

@compute @workgroup_size(WG)
fn swiglu_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let r = i / p.inter;
  let gi = i + r * p.inter;
  let g = x[gi];
  let u = x[gi + p.inter];
  let s = sigmoid(g);
  let d = dy[i];
  dx[gi] = d * u * s * fma(g, 1.0 - s, 1.0);
  dx[gi + p.inter] = d * g * s;
}

@compute @workgroup_size(WG)
fn geglu_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let gi = i + (i / p.inter) * p.inter;  // as in swiglu_forward
  y[i] = gelu_tanh(x[gi]) * x[gi + p.inter];
}

@compute @workgroup_size(WG)
fn geglu_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let gi = i + (i / p.inter) * p.inter;
  let g = x[gi];
  let d = dy[i];
  dx[gi] = d * x[gi + p.inter] * gelu_tanh_grad(g);
  dx[gi + p.inter] = d * gelu_tanh(g);
}
