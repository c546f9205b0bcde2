/** CPU float64 references for shaders/weight_grad.wgsl (dense operands: lda = K, ldb = N). */

/** C [K, N] = Aᵀ·B for A [M, K], B [M, N]: dW = xᵀ·dy. */
export function weightGradRef(A: ArrayLike<number>, B: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(K * N);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const a = A[m * K + k];
      for (let n = 0; n < N; n++) C[k * N + n] += a * B[m * N + n];
    }
  }
  return C;
}

/** c [N] = Σ_m B[m, n]: db = Σ_rows dy. */
export function columnSumRef(B: ArrayLike<number>, M: number, N: number): Float64Array {
  const c = new Float64Array(N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) c[n] += B[m * N + n];
  return c;
}
