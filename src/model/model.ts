import type { Gpu } from '../gpu/gpu.ts';
import type { ModelSpec } from './config.ts';
import type { ModelWeights } from './weights.ts';
import { parameterCount } from './weights.ts';
import { destroyWeights } from './destroy-weights.ts';
import type { WeightFormat } from './weight-format.ts';

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
    return parameterCount(this.spec);
  }

  /** How the weight matrices are stored on the GPU (weight-format.ts). */
  get weightFormat(): WeightFormat {
    return this.weights.format;
  }

  destroy(): void {
    destroyWeights(this.gpu, this.weights);
  }
}
