import type { Model } from '../model/model.ts';
import { NONE } from '../model/transformer.ts';
import { Rng } from '../util/rng.ts';
import { planLayout, type LayoutPlan } from '../shared/layouts.ts';
import { type ProtoProblem, checkProblem } from './problem.ts';
import { type ProtoSettings, validateSettings } from '../shared/run-settings.ts';
import { initStd } from './init.ts';
import { InputTrainer, allocateTrainer, checkTokenIds, type InputPlan, type StepHooks } from './input-trainer.ts';

export interface ProtoVectors {
  e: Float32Array;
  m: Float32Array;
}

/**
 * A batch of proto-token optimisations: the trainer core (input-trainer.ts) fed [e, m, ..., m] in
 * the settings' layout. Every item's e and m are rows of one params table, so restarts, shared
 * rows (Table 2) and a fixed, previously trained m (frozen rows) are the same machinery.
 */
export class ProtoTrainer extends InputTrainer<ProtoVectors> {
  private constructor(
    model: Model,
    input: InputPlan,
    readonly problem: ProtoProblem,
    override readonly settings: ProtoSettings,
    readonly plan: LayoutPlan,
  ) {
    super(model, input, settings);
  }

  static async create(model: Model, problem: ProtoProblem, settings: ProtoSettings, hooks?: StepHooks): Promise<ProtoTrainer> {
    validateSettings(settings);
    const N = checkProblem(problem);
    checkTokenIds(problem.targets, model.spec.vocabSize);
    const plan = planLayout(settings.layout, N, settings.firstTarget);
    if (plan.length > model.spec.maxPositions) throw new Error(`The text needs ${plan.length} input positions but the model takes at most ${model.spec.maxPositions}; use fewer tokens.`);
    const input = { ...protoInputPlan(problem, plan, model.spec.hidden, await initStd(model, settings.init)), hooks };
    return allocateTrainer(model, problem.targets, () => new ProtoTrainer(model, input, problem, settings, plan));
  }

  /** Another batch of texts (same count and length) for the next submitted steps; the params rows stay as they are. */
  setTexts(texts: readonly (readonly number[])[]): void {
    checkTokenIds(texts, this.model.spec.vocabSize);
    if (texts.length !== this.B || texts.some((t) => t.length !== this.N)) throw new Error(`setTexts needs ${this.B} texts of ${this.N} tokens.`);
    this.writeTargets(layoutTargets(this.plan, texts));
  }

  protected fromParams(all: Float32Array): ProtoVectors[] {
    const d = this.model.spec.hidden;
    return this.problem.eRow.map((e, b) => ({ e: all.slice(e * d, (e + 1) * d), m: all.slice(this.problem.mRow[b] * d, (this.problem.mRow[b] + 1) * d) }));
  }

  protected fromBest(all: Float32Array): ProtoVectors[] {
    const d = this.model.spec.hidden;
    return Array.from({ length: this.B }, (_, b) => ({ e: all.slice(2 * b * d, (2 * b + 1) * d), m: all.slice((2 * b + 1) * d, (2 * b + 2) * d) }));
  }
}

/** Input row b·L + i is the item's e or m row as the layout's slot says; it predicts the layout's target there. */
function protoInputPlan(problem: ProtoProblem, plan: LayoutPlan, d: number, std: number): InputPlan {
  const B = problem.targets.length;
  const L = plan.length;
  const index = new Uint32Array(B * L);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < L; i++) index[b * L + i] = plan.slots[i] === 0 ? problem.eRow[b] : problem.mRow[b];
  }
  const targets = layoutTargets(plan, problem.targets);
  const scored = [...plan.targetIndex]
    .map((ti, i) => [ti, i] as const)
    .filter(([ti]) => ti >= 0)
    .sort((x, y) => x[0] - y[0])
    .map(([, i]) => i);
  return {
    label: 'proto',
    B,
    L,
    N: problem.targets[0].length,
    P: problem.P,
    index,
    targets,
    itemRows: Uint32Array.from(problem.eRow.flatMap((e, b) => [e, problem.mRow[b]])),
    rowsPerItem: 2,
    initial: initialParams(problem, d, std),
    frozenRows: [...problem.fixed.keys()],
    scored,
  };
}

/** Input position b·L + i predicts the layout's target there (NONE where it predicts nothing). */
function layoutTargets(plan: LayoutPlan, texts: readonly (readonly number[])[]): Uint32Array {
  const L = plan.length;
  const targets = new Uint32Array(texts.length * L).fill(NONE);
  texts.forEach((text, b) => {
    for (let i = 0; i < L; i++) if (plan.targetIndex[i] >= 0) targets[b * L + i] = text[plan.targetIndex[i]];
  });
  return targets;
}

/** Each item draws its e, then the m it owns (first item of its group), from its own seed. */
function initialParams(problem: ProtoProblem, d: number, std: number): Float32Array {
  const out = new Float32Array(problem.P * d);
  const filled = new Set<number>();
  problem.targets.forEach((_, b) => {
    const rng = new Rng(problem.seeds[b]);
    const e = rng.normalArray(d, std);
    const m = rng.normalArray(d, std);
    if (!filled.has(problem.eRow[b])) {
      out.set(e, problem.eRow[b] * d);
      filled.add(problem.eRow[b]);
    }
    if (!filled.has(problem.mRow[b])) {
      out.set(m, problem.mRow[b] * d);
      filled.add(problem.mRow[b]);
    }
  });
  for (const [row, v] of [...(problem.initial ?? []), ...problem.fixed]) {
    if (v.length !== d) throw new Error(`The fixed vector has width ${v.length} but this model's embeddings have width ${d}.`);
    out.set(v, row * d);
  }
  return out;
}
