import type { Model } from '../model/model.ts';
import { NONE } from '../model/transformer.ts';
import { Rng } from '../util/rng.ts';
import { initStd } from '../prototokens/init.ts';
import { InputTrainer, allocateTrainer, checkTokenIds, type InputPlan } from '../prototokens/input-trainer.ts';
import { type MemoryProblem, checkMemoryProblem, memoryPositions } from './problem.ts';
import { type MemorySettings, validateMemorySettings } from './settings.ts';

/** One item's K memory vectors, [K·d] row-major. */
export interface MemoryVectors {
  memory: Float32Array;
  K: number;
}

/**
 * A batch of memory-token optimisations: the trainer core (prototokens/input-trainer.ts) fed
 * [mem_1..mem_K, emb(t_1), ..., emb(t_{N-1})]. Input row b·L + i (L = K + N - 1) is memory row
 * b·K + i for i < K, else the embedding of t_{i-K+1}; position K-1+j is scored against t_{j+1}.
 * The token rows are frozen inputs: NONE in the layout index, so no gradient is routed from them.
 */
export class MemoryTrainer extends InputTrainer<MemoryVectors> {
  private constructor(
    model: Model,
    input: InputPlan,
    readonly problem: MemoryProblem,
    override readonly settings: MemorySettings,
  ) {
    super(model, input, settings);
  }

  /** Memory vectors per item. */
  get K(): number {
    return this.problem.K;
  }

  static async create(model: Model, problem: MemoryProblem, settings: MemorySettings): Promise<MemoryTrainer> {
    validateMemorySettings(settings);
    const N = checkMemoryProblem(problem);
    const { K } = problem;
    const L = memoryPositions(N, K);
    if (L > model.spec.maxPositions) throw new Error(`${K} memory vectors and ${N} tokens need ${L} input positions but the model takes at most ${model.spec.maxPositions}; use fewer tokens.`);
    checkTokenIds(problem.targets, model.spec.vocabSize);
    const input = memoryInputPlan(problem, N, model.spec.hidden, await initStd(model, settings.init));
    return allocateTrainer(model, problem.targets, () => new MemoryTrainer(model, input, problem, settings));
  }

  protected fromParams(all: Float32Array): MemoryVectors[] {
    return this.split(all);
  }

  protected fromBest(all: Float32Array): MemoryVectors[] {
    return this.split(all);
  }

  /** Item b's rows are b·K .. b·K + K - 1 in both the params table and the kept best. */
  private split(all: Float32Array): MemoryVectors[] {
    const w = this.K * this.model.spec.hidden;
    return Array.from({ length: this.B }, (_, b) => ({ memory: all.slice(b * w, (b + 1) * w), K: this.K }));
  }
}

function memoryInputPlan(problem: MemoryProblem, N: number, d: number, std: number): InputPlan {
  const B = problem.targets.length;
  const { K } = problem;
  const L = memoryPositions(N, K);
  const index = new Uint32Array(B * L).fill(NONE);
  const tokenIds = new Uint32Array(B * L).fill(NONE);
  const targets = new Uint32Array(B * L).fill(NONE);
  for (let b = 0; b < B; b++) {
    const text = problem.targets[b];
    for (let i = 0; i < L; i++) {
      if (i < K) index[b * L + i] = b * K + i;
      else tokenIds[b * L + i] = text[i - K];
      if (i >= K - 1) targets[b * L + i] = text[i - K + 1];
    }
  }
  return {
    label: 'mem',
    B,
    L,
    N,
    P: B * K,
    index,
    tokenIds,
    targets,
    itemRows: Uint32Array.from({ length: B * K }, (_, i) => i),
    rowsPerItem: K,
    initial: initialMemory(problem, d, std),
    scored: Array.from({ length: N }, (_, j) => K - 1 + j),
  };
}

/** Item b's K vectors, drawn N(0, std²) from its own seed (or its `initial` value). */
function initialMemory(problem: MemoryProblem, d: number, std: number): Float32Array {
  const w = problem.K * d;
  const out = new Float32Array(problem.targets.length * w);
  problem.seeds.forEach((seed, b) => out.set(new Rng(seed).normalArray(w, std), b * w));
  for (const [b, v] of problem.initial ?? []) {
    if (v.length !== w) throw new Error(`The starting memory has ${v.length} values; ${problem.K} vectors of width ${d} need ${w}.`);
    if (!(b >= 0 && b < problem.targets.length)) throw new Error(`Starting memory given for item ${b}, which is not in the batch.`);
    out.set(v, b * w);
  }
  return out;
}
