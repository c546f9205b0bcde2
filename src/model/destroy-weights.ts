import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Linear } from './linear.ts';
import type { ModelWeights } from './weights.ts';

/** Frees every GPU buffer of a model's weights once (a tied head is the embedding itself). */
export function destroyWeights(gpu: Gpu, w: ModelWeights): void {
  const seen = new Set<Tensor>();
  const drop = (t: Tensor | null) => {
    if (t && !seen.has(t)) {
      seen.add(t);
      gpu.destroyTensor(t);
    }
  };
  const dropLinear = (l: Linear) => {
    l.chunks.forEach((c) => {
      drop(c.data);
      drop(c.scales);
    });
    drop(l.bias);
  };
  dropLinear(w.embed);
  if (w.positions) dropLinear(w.positions);
  for (const l of w.layers) {
    for (const n of [l.norm1, l.norm2, l.qNorm, l.kNorm, l.postAttnNorm, l.postMlpNorm]) {
      drop(n?.w ?? null);
      drop(n?.b ?? null);
    }
    [l.qkv, l.o, l.up, l.down].forEach(dropLinear);
  }
  drop(w.finalNorm.w);
  drop(w.finalNorm.b);
  dropLinear(w.lmHead);
}
