import type { Gpu } from '../gpu/gpu.ts';
import type { ModelSpec } from './config.ts';
import type { ModelWeights } from './weights.ts';
import { destroyWeights } from './weights.ts';

/** A frozen model resident on one GPU: its spec, its weights, and where it came from. */
export class Model {
  constructor(
    readonly gpu: Gpu,
    readonly spec: ModelSpec,
    readonly weights: ModelWeights,
    /** Human-readable origin: folder path, URL or hub repo@revision. */
    readonly id: string,
    /** Hash of config.json and the weight bytes' layout, stored in solution files to refuse foreign ones. */
    readonly fingerprint: string,
  ) {}

  get parameterCount(): number {
    const s = this.spec;
    const perLayer =
      (s.heads + 2 * s.kvHeads) * s.headDim * s.hidden +
      s.hidden * s.heads * s.headDim +
      (s.arch === 'llama' ? 3 : 2) * s.hidden * s.intermediate +
      2 * s.hidden;
    return s.vocabSize * s.hidden * (s.tiedEmbeddings ? 1 : 2) + s.layers * perLayer + s.hidden;
  }

  destroy(): void {
    destroyWeights(this.gpu, this.weights);
  }
}
