/**
 * Every model family in every view of the lab (the issue's "families in every view"): for each
 * family's golden fixture, each view's engine entry point is run for real and its outcome checked.
 *
 *   embeddings   the memory baseline's text rows and the KV-cached decoder's token embeddings are
 *                the ones transformers computes (golden.json: Gemma's sqrt(hidden) scale, GPT-2's
 *                positions), and K memory vectors holding a prompt's embeddings decode like it
 *   compress     `protolab compress` (runCompress, in process) reaches 100 % on an 8-token text
 *   decode       `protolab decode` of the saved file gives exactly that text, ids and string
 *   throughput   `protolab throughput` on the saved file reproduces all N tokens in one pass
 *   geometry     a second seed's solution of the same text, the cosine distance between the two,
 *                and a linear path scan whose end points score what each solution scores
 *   memory       `compress --method memory` (K = 4) reproduces its text decoded through the KV
 *                cache; `decode` and `throughput` of that file reproduce it too
 *   experiments  a tiny capacity sweep (GloVe words, 1 text, 1 seed, both methods) writes its
 *                records to a JSONL file, with H_LM as the model computes it
 *
 * The texts. These fixtures are tiny random models, and their one-shot capacity for arbitrary
 * text is a few tokens. Measured here on six windows of "Once upon a time, there was a little girl
 * named Lily. She loved ..." at lr 0.1: of the 8-token windows, 300 steps solved 4 in
 * llama-gqa-untied and none in qwen3-tiny; of the 6-token ones, 200 steps solved 1 in
 * gpt-neox-tiny and none in gpt2-tiny (whose 50k-row output layers cost ~10 ms per position per
 * step on SwiftShader). So each view gets a text its model can carry, taken from the fixture with
 * no optimisation of ours:
 *   - one-shot: golden.prototoken.argmax[0..8): what transformers' own forward pass decodes from
 *     the golden e, m (reachable by construction; seeds 0 and 1 solve it in 40-160 steps);
 *   - memory: the greedy continuation of golden.forward.input_ids[0..4) (the uncached engine):
 *     4 memory vectors equal to those tokens' embeddings reproduce it exactly.
 *
 * Mistral has no fixture: like test/model/mistral.test.ts, a seeded random Mistral model (with a
 * sliding window shorter than the texts) is written to a temporary folder, with the
 * llama-gqa-untied tokenizer. With no golden.json, its reference values come from the engine's
 * uncached forward pass, which test/model/mistral.test.ts holds to float64.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { randomModelSource, RANDOM_WEIGHTS_FILE } from '../../src/model/sources/random-source.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { readLinear } from '../../src/model/linear.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { greedyGenerate } from '../../src/model/generate.ts';
import { KvDecoder } from '../../src/model/kv-decode.ts';
import { MemoryTrainer } from '../../src/memory/trainer.ts';
import { MEMORY_SETTINGS } from '../../src/memory/settings.ts';
import { decodeFromMemory } from '../../src/memory/decode.ts';
import { decodeOnePass } from '../../src/prototokens/decode.ts';
import { decodeSolutionBytes } from '../../src/prototokens/solution-file.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../../src/shared/run-settings.ts';
import { runCompress } from '../../src/cli/commands/compress.ts';
import { runCompressMemory } from '../../src/cli/commands/compress-memory.ts';
import { runDecode } from '../../src/cli/commands/decode.ts';
import { runThroughput } from '../../src/cli/commands/throughput.ts';
import { runSweep } from '../../src/experiments/jobs/sweep.ts';
import { memoryMethod } from '../../src/experiments/jobs/methods.ts';
import { jsonlStore } from '../../src/experiments/node/jsonl-store.ts';
import { parseRecords } from '../../src/experiments/records.ts';
import { randomSource } from '../../src/datasets/node/sources.ts';
import { makePair } from '../../src/geometry/pair.ts';
import { solutionDistances, cosineDistance, solutionVector } from '../../src/geometry/distances.ts';
import { scanPath } from '../../src/geometry/jobs/scan.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES, golden } from '../helpers/fixtures.ts';
import { relMaxError } from '../helpers/compare.ts';

/** The families' golden fixtures (assets/fixtures/, described in its README). */
const FAMILY_FIXTURES: string[] = [
  'llama-gqa-untied', 'gpt-neox-tiny', 'qwen2-tiny', 'qwen3-tiny', 'gpt2-tiny',
  'gemma3-tiny', // GEMMA 3 (gemma3_text): further Gemma fixtures go on this line.
];

/** What a view is checked against: golden.json's values, or (Mistral) the engine's uncached pass. */
interface Reference {
  /** Real tokens, no BOS added. */
  ids: number[];
  /** Full logit rows at some positions of ids. */
  rows: { position: number; logits: ArrayLike<number> }[];
  /** Argmax at every position, and the summed next-token NLL. */
  argmax: number[];
  nll: number;
  /** A text the one-shot method can carry (see the file comment). */
  oneShotText: number[];
  /** Relative tolerance of loss and logits against it (the fixtures README's for golden values). */
  tol: number;
}

interface FamilyCase {
  label: string;
  /** The model folder: a fixture's, or (Mistral) one written under `tmp`. */
  folder(tmp: string): Promise<string>;
  reference(model: Model): Promise<Reference>;
}

/** N: tokens of the one-shot and memory texts. */
const N = 8;
/** Memory vectors of the baseline, and the prompt length they are able to hold exactly. */
const K = 4;

function fromGolden(name: string): Reference {
  const g = golden(name);
  return {
    ids: g.forward.input_ids,
    rows: g.forward.logits_rows.map((position, k) => ({ position, logits: g.forward.logits[k] })),
    argmax: g.forward.argmax,
    nll: g.forward.sum_next_token_nll,
    oneShotText: g.prototoken.argmax.slice(0, N),
    tol: 1e-4,
  };
}

const MISTRAL_CONFIG = {
  model_type: 'mistral',
  architectures: ['MistralForCausalLM'],
  vocab_size: 512, // the llama-gqa-untied tokenizer's
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 8,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  sliding_window: 5, // shorter than every text here
  hidden_act: 'silu',
  tie_word_embeddings: false,
};

const mistral: FamilyCase = {
  label: 'mistral (seeded random, sliding window 5)',
  async folder(tmp) {
    const dir = join(tmp, 'mistral');
    mkdirSync(dir);
    const file = await randomModelSource(MISTRAL_CONFIG, { seed: 3, std: 0.2 }).open(RANDOM_WEIGHTS_FILE);
    writeFileSync(join(dir, 'model.safetensors'), await file.read(0, file.size));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(MISTRAL_CONFIG));
    copyFileSync(`${FIXTURES}llama-gqa-untied/tokenizer.json`, join(dir, 'tokenizer.json'));
    return dir;
  },
  async reference(model) {
    const ids = golden('llama-gqa-untied').forward.input_ids.slice(0, 24);
    const r = await evaluateTokens(model, ids, { keepLogits: true });
    const V = model.spec.vocabSize;
    const rng = new Rng(5);
    const oneShotText = await decodeOnePass(model, { e: rng.normalArray(model.spec.hidden), m: rng.normalArray(model.spec.hidden) }, 'e,m*(N-1)', 'e', N);
    return {
      ids,
      rows: [0, 11, 23].map((position) => ({ position, logits: r.logits!.slice(position * V, (position + 1) * V) })),
      argmax: r.argmax,
      nll: r.hLm,
      oneShotText,
      // Same values, other kernels (the cached step, the trainer's batch): f32 rounding only.
      tol: 1e-4,
    };
  },
};

const CASES: FamilyCase[] = [
  ...FAMILY_FIXTURES.map((name): FamilyCase => ({ label: name, folder: async () => `${FIXTURES}${name}`, reference: async () => fromGolden(name) })),
  mistral,
];

/**
 * The embedding transformers gives token `id` (its inputs_embeds equivalent), by the family's own
 * rule read from config.json, independently of the engine's spec: Gemma 3's embedding layer
 * multiplies by sqrt(hidden_size); the others look the row up. GPT-2's positions are not part of
 * it: transformers adds them to inputs_embeds as to token embeddings.
 */
function hfEmbedding(config: Record<string, unknown>, table: Float32Array, d: number, ids: readonly number[]): Float32Array {
  const scale = String(config.model_type).startsWith('gemma') ? Math.sqrt(Number(config.hidden_size)) : 1;
  const out = new Float32Array(ids.length * d);
  ids.forEach((id, r) => {
    for (let j = 0; j < d; j++) out[r * d + j] = scale * table[id * d + j];
  });
  return out;
}

/** One-shot runs: the CLI's defaults but lr 0.1, the step size e2e/families.spec.ts also gives these random models. */
const ONESHOT: ProtoSettings = { ...PAPER_SETTINGS, lr: 0.1, maxSteps: 600, reportEvery: 10 };

describe.each(CASES.map((c) => [c.label, c] as const))('%s in every view', (_, fam) => {
  let gpu: Gpu;
  let dir: string;
  let model: Model;
  let tokenizer: Tokenizer;
  let config: Record<string, unknown>;
  let ref: Reference;
  let tmp: string;
  const file = (name: string) => join(tmp, name);
  const loaded = () => ({ gpu, model, tokenizer });

  beforeAll(async () => {
    gpu = await testGpu();
    tmp = mkdtempSync(join(tmpdir(), 'protolab-families-'));
    dir = await fam.folder(tmp);
    model = await loadModel(gpu, nodeFolderSource(dir));
    tokenizer = await loadTokenizer(nodeFolderSource(dir));
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    ref = await fam.reference(model);
  });

  afterAll(() => {
    model?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("text embeddings follow the family's rules: the memory trainer's text rows, the KV-cached decoder's prefill and steps, memory holding a prompt's embeddings", async () => {
    const d = model.spec.hidden;
    const table = await readLinear(gpu, model.weights.embed);
    // The memory trainer on [mem = transformers' embedding of ids[0], its own text rows of ids[1..]]:
    // that is transformers' input for ids, so its first step's loss and argmax are the reference's.
    const L = ref.ids.length;
    const tr = await MemoryTrainer.create(model, { targets: [ref.ids.slice(1)], seeds: [0], K: 1, initial: new Map([[0, hfEmbedding(config, table, d, ref.ids.slice(0, 1))]]) }, { ...MEMORY_SETTINGS, maxSteps: 1 });
    try {
      tr.submitSteps(1);
      const r = await tr.report();
      expect(Math.abs(r.loss[0] - ref.nll) / ref.nll, `loss ${r.loss[0]} vs ${ref.nll}`).toBeLessThan(ref.tol);
      expect(r.argmax[0]).toEqual(ref.argmax.slice(0, L - 1));
    } finally {
      tr.destroy();
    }
    // The KV-cached decoder's prefill, of a token prompt and of the same prompt as memory vectors
    // (transformers' embeddings as inputs_embeds): the logits of its last position.
    for (const { position, logits } of ref.rows) {
      const prompt = ref.ids.slice(0, position + 1);
      for (const tokenPrefix of [true, false]) {
        const dec = new KvDecoder(model, { batch: 1, prefix: prompt.length, count: 1, tokenPrefix });
        try {
          if (tokenPrefix) gpu.write(dec.prefixIds!, Uint32Array.from(prompt));
          else gpu.write(dec.inputs, hfEmbedding(config, table, d, prompt));
          dec.reset();
          dec.submitPrefill();
          const err = relMaxError(await gpu.read(dec.logits), logits);
          expect(err, `prefill of ${prompt.length} ${tokenPrefix ? 'tokens' : 'embeddings'}: logits off by ${err.toExponential(2)}`).toBeLessThan(ref.tol);
        } finally {
          dec.destroy();
        }
      }
    }
    // Its steps embed the token they fed back (Gemma's scale, GPT-2's position of that step):
    // every step's logits equal the uncached pass over the prompt and the tokens so far.
    const prompt = ref.ids.slice(0, K);
    const V = model.spec.vocabSize;
    const dec = new KvDecoder(model, { batch: 1, prefix: K, count: N, tokenPrefix: true });
    const steps: Float32Array[] = [];
    let tokens: number[];
    try {
      gpu.write(dec.prefixIds!, Uint32Array.from(prompt));
      dec.reset();
      dec.submitPrefill();
      steps.push(await gpu.read(dec.logits));
      for (let s = 1; s < N; s++) {
        dec.submitStep();
        steps.push(await gpu.read(dec.logits));
      }
      [tokens] = await dec.readTokens();
    } finally {
      dec.destroy();
    }
    const full = await evaluateTokens(model, [...prompt, ...tokens.slice(0, N - 1)], { keepLogits: true });
    steps.forEach((got, s) => {
      const err = relMaxError(got, full.logits!.subarray((K - 1 + s) * V, (K + s) * V));
      expect(err, `step ${s}: logits off by ${err.toExponential(2)}`).toBeLessThan(1e-4);
    });
    // K memory vectors equal to that prompt's embeddings decode what the prompt does.
    expect(await decodeFromMemory(model, { memory: hfEmbedding(config, table, d, prompt), K }, N)).toEqual(tokens);
    expect(tokens).toEqual(await greedyGenerate(model, prompt, N));
  });

  it('compress (one-shot) reaches 100 % on an 8-token text; decode of the saved file gives exactly that text', async () => {
    const ids = ref.oneShotText;
    const text = tokenizer.decode(ids);
    const r = await runCompress(loaded(), ids, text, { ...ONESHOT, seed: 0 }, file('s0.safetensors'));
    expect(r.stopped_by).toBe('solved');
    expect(r).toMatchObject({ accuracy: 1, c_tokens: N, tokens: ids, decoded: text });
    const d = await runDecode(loaded(), file('s0.safetensors'));
    expect(d).toMatchObject({ tokens: ids, text, accuracy: 1, note: null });
  });

  it('throughput of that solution: one pass reproduces all N tokens, against KV-cached decoding of stand-in memory', async () => {
    const r = await runThroughput(loaded(), file('s0.safetensors'), { repeats: 1 });
    expect(r).toMatchObject({ N, model: model.id, modelFingerprint: model.fingerprint, solutionMethod: 'oneshot', repeats: 1 });
    expect(r.oneShot).toMatchObject({ vectors: 'solution', tokens: N, passes: 1, positions: N, reproduced: N });
    expect(r.memory).toMatchObject({ vectors: 'stand-in', tokens: N, passes: N, positions: N, reproduced: null, K: 1 });
    for (const t of [r.oneShot, r.memory]) expect(t.tokensPerSecond).toBeGreaterThan(0);
  });

  it('geometry: a second seed solves the same text; the distance between the two; a linear path scan scores each end as its solution', async () => {
    const ids = ref.oneShotText;
    const r1 = await runCompress(loaded(), ids, tokenizer.decode(ids), { ...ONESHOT, seed: 1 }, file('s1.safetensors'));
    expect(r1.accuracy).toBe(1);
    const [s0, s1] = await Promise.all(['s0', 's1'].map((s) => decodeSolutionBytes(readFileSync(file(`${s}.safetensors`)), `${s}.safetensors`)));
    const D = solutionDistances([s0, s1]);
    expect(D[0][0]).toBe(0);
    expect(D[0][1]).toBe(D[1][0]);
    expect(D[0][1]).toBe(cosineDistance(solutionVector(s0), solutionVector(s1)));
    // Two seeds land on two solutions: neither the same point nor opposite ones.
    expect(D[0][1]).toBeGreaterThan(1e-3);
    expect(D[0][1]).toBeLessThan(2);
    const scan = await scanPath(model, makePair(s0, s1), null, 5);
    expect(scan.tau).toEqual([0, 0.25, 0.5, 0.75, 1]);
    for (const [i, s] of [[0, s0], [4, s1]] as const) {
      expect(scan.accuracy[i]).toBe(s.meta.accuracy);
      expect(scan.argmax[i]).toEqual(await decodeOnePass(model, s, s.meta.layout, s.meta.firstTarget, N));
      expect(Math.abs(scan.loss[i] - s.meta.loss) / Math.max(s.meta.loss, 1e-3), `loss at tau ${scan.tau[i]}`).toBeLessThan(1e-3);
    }
    expect(scan.accuracy[0]).toBe(1);
    expect(scan.accuracy[4]).toBe(1);
  });

  it('memory baseline: compress --method memory reproduces its text through the KV cache; decode and throughput of the file too', async () => {
    const ids = await greedyGenerate(model, ref.ids.slice(0, K), N);
    const text = tokenizer.decode(ids);
    const out = file('mem.safetensors');
    const r = await runCompressMemory(loaded(), ids, text, { ...MEMORY_SETTINGS, lr: 0.1, maxSteps: 400, seed: 0 }, K, out);
    expect(r).toMatchObject({ method: 'memory', memory_tokens: K, accuracy: 1, c_tokens: N, teacher_forced_c_tokens: N, tokens: ids, decoded: text });
    const d = await runDecode(loaded(), out);
    expect(d).toMatchObject({ tokens: ids, text, accuracy: 1 });
    const t = await runThroughput(loaded(), out, { repeats: 1 });
    expect(t).toMatchObject({ N, solutionMethod: 'memory' });
    expect(t.memory).toMatchObject({ vectors: 'solution', tokens: N, passes: N, positions: K + N - 1, reproduced: N, K });
    expect(t.oneShot).toMatchObject({ vectors: 'stand-in', reproduced: null });
  });

  it('experiments: a capacity sweep of both methods writes records for this model, H_LM as the model computes it', async () => {
    const out = file('results.jsonl');
    const store = jsonlStore(out);
    const base = { model, tokenizer, source: randomSource(), texts: 1, seeds: 1, keepGoing: true, store };
    const settings = { ...PAPER_SETTINGS, maxSteps: 20, reportEvery: 10 };
    const one = await runSweep({ ...base, settings, lengths: [4, 5] });
    const mem = await runSweep({ ...base, settings, lengths: [4], method: memoryMethod(1) });
    const { records, skipped } = parseRecords(readFileSync(out, 'utf8'));
    expect(skipped).toBe(0);
    expect(records.map((r) => [r.method, r.length])).toEqual([['oneshot', 4], ['oneshot', 5], ['memory', 4]]);
    expect(records).toEqual([...one.records, ...mem.records]);
    // The source cuts one text of GloVe words, tokenized by this model's tokenizer, per sweep.
    const text = one.texts[0];
    expect(text.tokens).toHaveLength(5);
    expect(mem.texts[0].tokens).toEqual(text.tokens.slice(0, 4));
    const bos = model.spec.bosTokenId ?? tokenizer.bosTokenId;
    const hasBos = bos !== null && bos !== undefined;
    const nll = hasBos ? (await evaluateTokens(model, [bos, ...text.tokens])).nll : [0, ...(await evaluateTokens(model, text.tokens)).nll];
    for (const r of records) {
      expect(r).toMatchObject({ model: basename(dir), modelFingerprint: model.fingerprint, source: 'random', seedList: [expect.any(Number)] });
      expect(r.tokens).toEqual(text.tokens.slice(0, r.length));
      for (const t of r.tokens) expect(t).toBeLessThan(model.spec.vocabSize);
      expect(r.correct[0]).toBeGreaterThanOrEqual(0);
      expect(r.correct[0]).toBeLessThanOrEqual(r.length);
      expect(r.accuracy).toEqual([r.correct[0] / r.length]);
      expect(r.best).toBe(r.accuracy[0]);
      expect(r.passed).toBe(r.best >= 0.99);
      expect(r.stepsRun).toBeLessThanOrEqual(20);
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.hLmFirstToken).toBe(hasBos);
      expect(r.hLm).toBeCloseTo(nll.slice(0, r.length).reduce((a, b) => a + b, 0), 3);
    }
  });
});
