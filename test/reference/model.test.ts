/**
 * The float64 reference forward pass (src/reference/model.ts) against every golden fixture: the
 * fixtures were computed in float64 by an independent PyTorch implementation of the Hugging Face
 * code, so the two agree to rounding, and the tolerances are tight enough that any change of the
 * math shows (the gemma3-tiny checks below change one rule each and land far outside them).
 *
 * Tolerances, both float64 against float64: logits to 1e-11 of the largest |logit| of the row
 * (relMaxError), summed losses to 1e-11 relative; argmax exactly. Measured: at most 2e-15 and 7e-16
 * on every fixture, so the margin is about four orders of magnitude for summation order and libm.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { loadReferenceModel, NONE, type ReferenceModel } from '../../src/reference/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import type { ModelSource } from '../../src/model/sources/source.ts';
import { relMaxError } from '../helpers/compare.ts';
import { FIXTURES, golden } from '../helpers/fixtures.ts';

const LOGITS_TOL = 1e-11;
const LOSS_TOL = 1e-11;

/** Every fixture folder, so a new one is checked as soon as it arrives. */
const FOLDERS = readdirSync(FIXTURES).filter((f) => statSync(`${FIXTURES}${f}`).isDirectory());

const relError = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

/** Z = [e, m x (N-1)]: the proto-token input, neither embedded nor scaled. */
function protoInput(e: number[], m: number[], N: number): Float64Array {
  const z = new Float64Array(N * e.length);
  z.set(e);
  for (let i = 1; i < N; i++) z.set(m, i * e.length);
  return z;
}

/** The folder's model with some config.json fields replaced: one rule of the computation changed. */
function withConfig(dir: string, patch: Record<string, unknown>): ModelSource {
  const src = nodeFolderSource(dir);
  return { ...src, text: async (f) => (f === 'config.json' ? JSON.stringify({ ...JSON.parse(await src.text(f)), ...patch }) : src.text(f)) };
}

it('the fixtures folder holds every family', () => {
  expect(FOLDERS).toEqual(expect.arrayContaining(['stories260k', 'llama-gqa-untied', 'gpt-neox-tiny', 'gpt-neox-seq-bf16', 'qwen2-tiny', 'qwen3-tiny', 'gpt2-tiny', 'gemma3-tiny']));
});

describe.each(FOLDERS)('float64 reference on fixture %s', (name) => {
  let ref: ReferenceModel;
  const g = golden(name);
  beforeAll(async () => {
    ref = await loadReferenceModel(nodeFolderSource(`${FIXTURES}${name}`));
  });

  it('forward on the embedded input_ids: logits rows, argmax, summed next-token NLL', () => {
    const ids = g.forward.input_ids;
    const next = ids.map((_, i) => (i + 1 < ids.length ? ids[i + 1] : NONE));
    const r = ref.forward(ref.embed(ids), next, { logits: true });
    const V = ref.spec.vocabSize;
    g.forward.logits_rows.forEach((row, k) => {
      const err = relMaxError(r.logits!.subarray(row * V, (row + 1) * V), g.forward.logits[k]);
      expect(err, `logits row ${row}: ${err.toExponential(2)}`).toBeLessThanOrEqual(LOGITS_TOL);
    });
    expect(Array.from(r.argmax)).toEqual(g.forward.argmax);
    expect(relError(r.lossSum, g.forward.sum_next_token_nll)).toBeLessThanOrEqual(LOSS_TOL);
    expect(r.loss[ids.length - 1]).toBe(0); // NONE: unscored
  });

  it('proto-token input [e, m x (N-1)]: summed loss, argmax, last logits row', () => {
    const p = g.prototoken;
    const r = ref.forward(protoInput(p.e, p.m, p.N), p.target_ids, { logits: true });
    const V = ref.spec.vocabSize;
    expect(relError(r.lossSum, p.loss_sum)).toBeLessThanOrEqual(LOSS_TOL);
    expect(Array.from(r.argmax)).toEqual(p.argmax);
    const err = relMaxError(r.logits!.subarray((p.N - 1) * V), p.logits_last_row);
    expect(err, `last row: ${err.toExponential(2)}`).toBeLessThanOrEqual(LOGITS_TOL);
  });
});

// Each broken rule is required to miss the golden loss by more than MISS = 1e-4 relative, ten
// million times LOSS_TOL. Measured misses: no window 8.5e-3 (11 of 20 argmax change), local layers
// on the global base 4.2e-4, proto-tokens scaled by sqrt(hidden) 4.5e-2 (19 of 20 argmax change).
const MISS = 1e-4;

describe('gemma3-tiny exercises its rules: breaking one moves the proto-token loss far outside the tolerance', () => {
  const dir = `${FIXTURES}gemma3-tiny`;
  const p = golden('gemma3-tiny').prototoken;
  const z = protoInput(p.e, p.m, p.N);
  /** How far a changed model's proto-token loss lands from the golden one, relative. */
  const missBy = async (src: ModelSource, inputs: Float64Array = z) => relError((await loadReferenceModel(src)).forward(inputs, p.target_ids).lossSum, p.loss_sum);

  it('the text is longer than the sliding window, and both layer types occur', async () => {
    const { spec } = await loadReferenceModel(nodeFolderSource(dir));
    expect(p.N).toBeGreaterThan(spec.slidingWindow);
    expect(new Set(spec.layerTypes)).toEqual(new Set(['full', 'sliding']));
    expect(spec.localRopeTheta).not.toBe(spec.ropeTheta);
  });

  it('ignoring the sliding window', async () => {
    expect(await missBy(withConfig(dir, { sliding_window: 4096 }))).toBeGreaterThan(MISS);
  });

  it('the local layers rotating with the global base', async () => {
    expect(await missBy(withConfig(dir, { rope_local_base_freq: 1e6 }))).toBeGreaterThan(MISS);
  });

  it('scaling the proto-tokens by embedScale as if they were token embeddings', async () => {
    const ref = await loadReferenceModel(nodeFolderSource(dir));
    expect(ref.spec.embedScale).toBe(8);
    expect(await missBy(nodeFolderSource(dir), z.map((x) => x * ref.spec.embedScale))).toBeGreaterThan(MISS);
  });
});
