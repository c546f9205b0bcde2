/** Float64 finite differences for gradient checks of the CPU references. */

/** Central differences of L(x) = Σ dy·f(x): the vector-Jacobian product the backward must return. */
export function fdGradient(f: (x: Float64Array) => Float64Array, x: Float64Array, dy: ArrayLike<number>, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const loss = (xx: Float64Array): number => {
    const y = f(xx);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += dy[i] * y[i];
    return s;
  };
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    x[i] = xi + h;
    const lp = loss(x);
    x[i] = xi - h;
    const lm = loss(x);
    x[i] = xi;
    g[i] = (lp - lm) / (2 * h);
  }
  return g;
}
