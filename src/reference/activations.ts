/** CPU float64 references for shaders/activations.wgsl. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erfc to 1e-12 relative or better (checked against mpmath on [-12, 12]; erf itself to 1e-15). Below 2.5: 1 - erf from the series
 * erf(z) = 2/√π e^{-z²} Σ_n (2z²)^n z / (2n+1)!!, whose terms are all positive (no cancellation).
 * From 2.5 on: the continued fraction erfc(z) = e^{-z²}/√π / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))),
 * evaluated bottom-up from a fixed depth that is converged at z = 2.5.
 */
export function erfcRef(z: number): number {
  if (z < 0) return 2 - erfcRef(-z);
  if (z < 2.5) return 1 - erfSeries(z);
  let k = z;
  for (let n = 120; n >= 1; n--) k = z + n / 2 / k;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / k;
}

function erfSeries(z: number): number {
  const z2 = 2 * z * z;
  let term = z;
  let sum = z;
  for (let n = 0; term > 1e-17 * sum; n++) {
    term *= z2 / (2 * n + 3);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
}

export function erfRef(z: number): number {
  const a = Math.abs(z);
  const v = a < 2.5 ? erfSeries(a) : 1 - erfcRef(a);
  return z < 0 ? -v : v;
}

/** Φ(x) = erfc(-x/√2)/2, from erfc on the side where it is small so neither tail cancels. */
export function normalCdfRef(x: number): number {
  const z = x / Math.SQRT2;
  return z < 0 ? 0.5 * erfcRef(-z) : 1 - 0.5 * erfcRef(z);
}

export function geluRef(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => v * normalCdfRef(v));
}

export function geluBackwardRef(x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => dy[i] * (normalCdfRef(v) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI)));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_TANH_C = 0.044715;

/** (1 + tanh(u)) / 2, written as σ(2u) from the side where exp cannot overflow (1 + tanh(u) cancels for u << 0). */
function halfOnePlusTanh(u: number): number {
  return u >= 0 ? 1 / (1 + Math.exp(-2 * u)) : Math.exp(2 * u) / (1 + Math.exp(2 * u));
}

/** GELU's tanh approximation (transformers' gelu_new): y = x (1 + tanh(u)) / 2, u = √(2/π)(x + 0.044715 x³). */
export function geluTanhRef(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, geluTanh1);
}

function geluTanh1(v: number): number {
  return v * halfOnePlusTanh(SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v));
}

/** d geluTanh / dx = (1 + tanh(u)) / 2 + x sech²(u) u' / 2. */
function geluTanhGrad1(v: number): number {
  const u = SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v);
  const du = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * v * v);
  const e = Math.exp(-2 * Math.abs(u));
  const sech2 = (4 * e) / ((1 + e) * (1 + e)); // sech(u) = 2 e^-|u| / (1 + e^-2|u|)
  return halfOnePlusTanh(u) + 0.5 * v * sech2 * du;
}

/** dx = dy ((1 + tanh(u)) / 2 + x sech²(u) u' / 2), u' = √(2/π)(1 + 3·0.044715 x²). */
export function geluTanhBackwardRef(x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => dy[i] * geluTanhGrad1(v));
}

function sigmoid(g: number): number {
  return g >= 0 ? 1 / (1 + Math.exp(-g)) : Math.exp(g) / (1 + Math.exp(g));
}

/** h [rows, inter] = silu(gate)·up from gu [rows, 2·inter] = (gate | up). */
export function swigluRef(gu: ArrayLike<number>, rows: number, inter: number): Float64Array {
  const h = new Float64Array(rows * inter);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < inter; c++) {
      const g = gu[r * 2 * inter + c];
      h[r * inter + c] = g * sigmoid(g) * gu[r * 2 * inter + inter + c];
    }
  }
  return h;
}

/** dgu [rows, 2·inter] = (d gate | d up) for upstream dh [rows, inter]. */
export function swigluBackwardRef(gu: ArrayLike<number>, dh: ArrayLike<number>, rows: number, inter: number): Float64Array {
  const dgu = new Float64Array(rows * 2 * inter);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < inter; c++) {
      const gi = r * 2 * inter + c;
      const g = gu[gi];
      const u = gu[gi + inter];
      const s = sigmoid(g);
      const d = dh[r * inter + c];
      dgu[gi] = d * u * s * (1 + g * (1 - s));
      dgu[gi + inter] = d * g * s;
    }
  }
  return dgu;
}

/** GeGLU (Gemma): h [rows, inter] = gelu_tanh(gate)·up from gu [rows, 2·inter] = (gate | up). */
export function gegluRef(gu: ArrayLike<number>, rows: number, inter: number): Float64Array {
  const h = new Float64Array(rows * inter);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < inter; c++) h[r * inter + c] = geluTanh1(gu[r * 2 * inter + c]) * gu[r * 2 * inter + inter + c];
  }
  return h;
}

/** dgu [rows, 2·inter] = (dh·up·gelu_tanh'(gate) | dh·gelu_tanh(gate)) for upstream dh [rows, inter]. */
export function gegluBackwardRef(gu: ArrayLike<number>, dh: ArrayLike<number>, rows: number, inter: number): Float64Array {
  const dgu = new Float64Array(rows * 2 * inter);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < inter; c++) {
      const gi = r * 2 * inter + c;
      const d = dh[r * inter + c];
      dgu[gi] = d * gu[gi + inter] * geluTanhGrad1(gu[gi]);
      dgu[gi + inter] = d * geluTanh1(gu[gi]);
    }
  }
  return dgu;
}
