/**
 * A solution found on each fixture decodes identically under the fixture's float64 reference: the
 * GPU engine (f32, its own kernels and weight plan) optimises (e, m) until its one-pass decoding of
 * [e, m x (N-1)] is the target, and the reference (src/reference/model.ts, independent of the
 * engine but for the config parser) must decode the same vectors to the same tokens. A solution
 * that only works inside the engine, through a rule the engine gets wrong, fails here.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { ProtoTrainer, type ProtoVectors } from '../../src/prototokens/trainer.ts';
import { optimise } from '../../src/prototokens/optimise.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { decodeOnePass } from '../../src/prototokens/decode.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { loadReferenceModel, type ReferenceModel } from '../../src/reference/model.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES, FIXTURE_NAMES, golden } from '../helpers/fixtures.ts';

/**
 * Tokens of the fixture's text to compress: as many as each random-weight fixture takes from every
 * seed tried (0 to 3, lr 0.1, measured on SwiftShader). stories260k, llama-gqa-untied and
 * qwen2-tiny take 8 in at most 100, 315 and 100 steps. qwen3-tiny, gemma3-tiny and
 * gpt-neox-seq-bf16 reach 8 from 1, 2 and none of the 4 seeds (stalling at 5 to 7), 5 from all in
 * at most 201, 209 and 180 steps. The two 50k-vocabulary fixtures cost about 0.1 s a step here:
 * gpt-neox-tiny takes 4 in at most 90 steps; gpt2-tiny, whose learned positions (rms 0.1) barely
 * tell its m positions apart, takes 3 in at most 160 and 4 from none (3 of 4 after 150 steps).
 */
const TOKENS: Record<string, number> = {
  stories260k: 8,
  'llama-gqa-untied': 8,
  'qwen2-tiny': 8,
  'qwen3-tiny': 5,
  'gemma3-tiny': 5,
  'gpt-neox-seq-bf16': 5,
  'gpt-neox-tiny': 4,
  'gpt2-tiny': 3,
};
const DEFAULT_TOKENS = 5;
/** A seed that does not solve within MAX_STEPS hands over to the next: one bad start is not a failure. */
const SEEDS = [0, 1, 2];
const MAX_STEPS = 400;
const LR = 0.1;

/** The first solution of the target the engine reaches 100% on, trying SEEDS in turn. */
async function solve(model: Model, targets: number[]): Promise<{ v: ProtoVectors; seed: number; steps: number; loss: number } | null> {
  for (const seed of SEEDS) {
    const tr = await ProtoTrainer.create(model, singleText(targets, seed), { ...PAPER_SETTINGS, lr: LR, maxSteps: MAX_STEPS });
    try {
      const r = await optimise(tr);
      if (r.stoppedBy === 'solved') return { v: r.best[0], seed, steps: r.steps, loss: r.last.bestLoss[0] };
    } finally {
      tr.destroy();
    }
  }
  return null;
}

describe.each(FIXTURE_NAMES)('a solution found on %s', (name) => {
  const N = TOKENS[name] ?? DEFAULT_TOKENS;
  const targets = golden(name).forward.input_ids.slice(0, N);
  let model: Model;
  let ref: ReferenceModel;
  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(`${FIXTURES}${name}`));
    ref = await loadReferenceModel(nodeFolderSource(`${FIXTURES}${name}`));
  });

  it(`reaches 100% on the first ${N} tokens in the engine, and the float64 reference decodes it to the same tokens`, async () => {
    const found = await solve(model, targets);
    expect(found, `no seed of ${SEEDS.join(', ')} solved ${N} tokens in ${MAX_STEPS} steps`).not.toBeNull();
    const { v, seed, steps, loss } = found!;
    const engine = await decodeOnePass(model, v, 'e,m*(N-1)', 'e', N);
    expect(engine).toEqual(targets);

    const d = ref.spec.hidden;
    const z = new Float64Array(N * d);
    z.set(v.e);
    for (let i = 1; i < N; i++) z.set(v.m, i * d);
    const r = ref.forward(z, targets, { logits: true });
    // The smallest lead of the target's logit over the runner-up: how close to a tie the decision is.
    const V = ref.spec.vocabSize;
    const lead = Math.min(...targets.map((t, i) => r.logits![i * V + t] - Math.max(...Array.from(r.logits!.subarray(i * V, (i + 1) * V)).filter((_, k) => k !== t))));
    const why = `seed ${seed}, ${steps} steps, smallest logit lead ${lead.toExponential(2)}`;
    expect(Array.from(r.argmax), why).toEqual(targets);
    expect(Array.from(r.argmax), why).toEqual(engine);
    // The engine's loss of its kept best is the reference's loss of the same vectors, to f32 rounding.
    expect(Math.abs(loss - r.lossSum) / r.lossSum, why).toBeLessThan(1e-5);
  });
});
