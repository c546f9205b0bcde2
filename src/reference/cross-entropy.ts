/** CPU float64 reference for shaders/cross_entropy.wgsl: the whole vocabulary at once. */
export const NONE = 0xffffffff;

export interface CrossEntropyRef {
  /** [rows]: logsumexp(logits[r]) - logits[r, target]; 0 for NONE targets. */
  loss: Float64Array;
  /** [rows]: index of the largest logit, the smallest index on ties. */
  argmax: Uint32Array;
  /** [rows, V]: d(sum loss)/d logits = softmax - onehot(target); 0 rows for NONE targets. */
  dlogits: Float64Array;
}

export function crossEntropyRef(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, V: number): CrossEntropyRef {
  const loss = new Float64Array(rows);
  const argmax = new Uint32Array(rows);
  const dlogits = new Float64Array(rows * V);
  for (let r = 0; r < rows; r++) {
    const o = r * V;
    let a = 0;
    for (let v = 1; v < V; v++) if (logits[o + v] > logits[o + a]) a = v;
    argmax[r] = a;
    const t = targets[r];
    if (t === NONE) continue;
    const m = logits[o + a];
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[o + v] - m);
    loss[r] = m + Math.log(s) - logits[o + t];
    for (let v = 0; v < V; v++) dlogits[o + v] = Math.exp(logits[o + v] - m) / s - (v === t ? 1 : 0);
  }
  return { loss, argmax, dlogits };
}

/** Per-sequence totals over B sequences of N rows, as ce_reduce computes them. */
export function crossEntropyReduceRef(
  loss: ArrayLike<number>,
  argmax: ArrayLike<number>,
  targets: ArrayLike<number>,
  B: number,
  N: number,
): { itemLoss: Float64Array; itemCorrect: Uint32Array } {
  const itemLoss = new Float64Array(B);
  const itemCorrect = new Uint32Array(B);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      const r = b * N + i;
      itemLoss[b] += loss[r];
      if (targets[r] !== NONE && argmax[r] === targets[r]) itemCorrect[b]++;
    }
  }
  return { itemLoss, itemCorrect };
}
