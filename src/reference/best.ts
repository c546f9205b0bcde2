/** CPU reference of shaders/best.wgsl for one step; mutates the state like the GPU does. */
export interface BestRef {
  correct: number[];
  loss: number[];
  step: number[]; // -1 until set
  params: Float64Array[]; // per item, K·dim values
}

export function trackBestRef(s: BestRef, itemCorrect: number[], itemLoss: number[], stepNo: number, params: Float32Array, rows: number[][], dim: number): void {
  itemCorrect.forEach((c, b) => {
    const l = itemLoss[b];
    const better = s.step[b] < 0 || c > s.correct[b] || (c === s.correct[b] && l < s.loss[b]);
    if (!Number.isFinite(l) || !better) return;
    s.correct[b] = c;
    s.loss[b] = l;
    s.step[b] = stepNo;
    const out = new Float64Array(rows[b].length * dim);
    rows[b].forEach((r, k) => out.set(params.subarray(r * dim, (r + 1) * dim), k * dim));
    s.params[b] = out;
  });
}
