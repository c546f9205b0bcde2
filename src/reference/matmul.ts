/** CPU float64 reference for shaders/matmul.wgsl: C = A·op(B) (+bias). */
export function matmulRef(
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  M: number,
  N: number,
  K: number,
  transposeB: boolean,
  bias?: ArrayLike<number>,
): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = bias ? bias[j] : 0;
      for (let k = 0; k < K; k++) s += A[i * K + k] * (transposeB ? B[j * K + k] : B[k * N + j]);
      C[i * N + j] = s;
    }
  }
  return C;
}
