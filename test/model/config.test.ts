import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelConfigError, parseConfig, ropeInvFreq, type ModelSpec } from '../../src/model/config.ts';
import { ASSETS } from '../helpers/fixtures.ts';

const fixture = (dir: string) => JSON.parse(readFileSync(`${ASSETS}${dir}/config.json`, 'utf8')) as Record<string, unknown>;

const llamaMinimal = { model_type: 'llama', vocab_size: 100, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4 };
const gpt2Minimal = { model_type: 'gpt2', vocab_size: 100, n_embd: 32, n_layer: 2, n_head: 4 };
const neoxMinimal = { model_type: 'gpt_neox', vocab_size: 100, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4 };

function refusal(json: unknown): ModelConfigError {
  try {
    parseConfig(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelConfigError);
    return e as ModelConfigError;
  }
  throw new Error('parseConfig accepted the config');
}

describe('parseConfig on the shared models', () => {
  it('gpt-neox-tiny: Pythia layout, quarter rotary, parallel residual', () => {
    expect(parseConfig(fixture('fixtures/gpt-neox-tiny'))).toEqual<ModelSpec>({
      arch: 'gpt_neox', family: 'gpt_neox', vocabSize: 50304, hidden: 64, intermediate: 256, layers: 2, heads: 4, kvHeads: 4, headDim: 16, headNorm: false, slidingWindow: 0,
      layerTypes: ['full', 'full'], localRopeTheta: null, normWeightOffset: 0, sandwichNorms: false, gatedMlp: false, attnScale: 1 / Math.sqrt(16), embedScale: 1,
      rotaryDim: 4, learnedPositions: false, ropeTheta: 10000, ropeScaling: null, maxPositions: 2048, normEps: 1e-5, norm: 'layernorm',
      activation: 'gelu', parallelResidual: true, tiedEmbeddings: false, attentionBias: true, outputBias: true, mlpBias: true,
      bosTokenId: 0, eosTokenId: 0,
    });
  });

  it('gpt-neox-seq-bf16: full rotary, sequential residual', () => {
    const s = parseConfig(fixture('fixtures/gpt-neox-seq-bf16'));
    expect(s).toMatchObject({ arch: 'gpt_neox', hidden: 48, heads: 3, headDim: 16, rotaryDim: 16, layers: 3, parallelResidual: false, vocabSize: 512, bosTokenId: 1, eosTokenId: 2 });
  });

  it('llama-gqa-untied: GQA, explicit head_dim, theta 5e5, eps 1e-6, untied', () => {
    expect(parseConfig(fixture('fixtures/llama-gqa-untied'))).toEqual<ModelSpec>({
      arch: 'llama', family: 'llama', vocabSize: 512, hidden: 96, intermediate: 160, layers: 2, heads: 6, kvHeads: 2, headDim: 16, headNorm: false, slidingWindow: 0,
      layerTypes: ['full', 'full'], localRopeTheta: null, normWeightOffset: 0, sandwichNorms: false, gatedMlp: true, attnScale: 1 / Math.sqrt(16), embedScale: 1,
      rotaryDim: 16, learnedPositions: false, ropeTheta: 500000, ropeScaling: null, maxPositions: 1024, normEps: 1e-6, norm: 'rmsnorm',
      activation: 'silu', parallelResidual: false, tiedEmbeddings: false, attentionBias: false, outputBias: false, mlpBias: false,
      bosTokenId: 1, eosTokenId: 2,
    });
  });

  it('gpt2-tiny: learned positions, no rotary, LayerNorm, tanh GELU, sequential residual, biases, tied', () => {
    expect(parseConfig(fixture('fixtures/gpt2-tiny'))).toEqual<ModelSpec>({
      arch: 'gpt2', family: 'gpt2', vocabSize: 50304, hidden: 48, intermediate: 192, layers: 2, heads: 4, kvHeads: 4, headDim: 12, headNorm: false, slidingWindow: 0,
      layerTypes: ['full', 'full'], localRopeTheta: null, normWeightOffset: 0, sandwichNorms: false, gatedMlp: false, attnScale: 1 / Math.sqrt(12), embedScale: 1,
      rotaryDim: 0, learnedPositions: true, ropeTheta: 10000, ropeScaling: null, maxPositions: 128, normEps: 1e-5, norm: 'layernorm',
      activation: 'gelu_tanh', parallelResidual: false, tiedEmbeddings: true, attentionBias: true, outputBias: true, mlpBias: true,
      bosTokenId: 0, eosTokenId: 0,
    });
  });

  it('stories260k (fixture copy and model folder agree): tied, GQA 8/4, head_dim 8', () => {
    const a = parseConfig(fixture('fixtures/stories260k'));
    expect(parseConfig(fixture('models/stories260k'))).toEqual(a);
    expect(a).toMatchObject({ arch: 'llama', hidden: 64, intermediate: 172, layers: 5, heads: 8, kvHeads: 4, headDim: 8, rotaryDim: 8, tiedEmbeddings: true, normEps: 1e-5, maxPositions: 512, ropeScaling: null });
  });
});

describe('parseConfig defaults follow the transformers config classes', () => {
  it('qwen2-tiny: the Llama computation with q/k/v biases and none on o_proj, BF16, tied', () => {
    expect(parseConfig(fixture('fixtures/qwen2-tiny'))).toMatchObject({
      arch: 'llama', family: 'qwen2', hidden: 64, heads: 8, kvHeads: 2, headDim: 8, ropeTheta: 1e6, normEps: 1e-6,
      attentionBias: true, outputBias: false, mlpBias: false, tiedEmbeddings: true,
    });
    expect(() => parseConfig({ ...fixture('fixtures/qwen2-tiny'), use_sliding_window: true })).toThrow(
      'config.json: use_sliding_window is true; sliding-window attention is not implemented: use a checkpoint with use_sliding_window false',
    );
  });

  it('qwen3-tiny: the Llama computation with per-head q/k norms and its own head_dim; Qwen3Config defaults', () => {
    const q3 = fixture('fixtures/qwen3-tiny');
    expect(parseConfig(q3)).toMatchObject({
      arch: 'llama', family: 'qwen3', hidden: 64, heads: 4, kvHeads: 2, headDim: 24, rotaryDim: 24, headNorm: true, ropeTheta: 1e6, normEps: 1e-6,
      attentionBias: false, outputBias: false, mlpBias: false, tiedEmbeddings: false,
    });
    // attention_bias puts biases on q, k, v and o (Qwen3Attention), as in Llama.
    expect(parseConfig({ ...q3, attention_bias: true })).toMatchObject({ attentionBias: true, outputBias: true });
    // Qwen3Config's head_dim is 128 when absent, whatever hidden_size / num_attention_heads is.
    const { head_dim: _, ...noHeadDim } = q3;
    expect(parseConfig({ ...noHeadDim, num_attention_heads: 6 })).toMatchObject({ headDim: 128, rotaryDim: 128 });
    // Llama and Qwen2 have no head norms.
    expect(parseConfig(fixture('fixtures/qwen2-tiny')).headNorm).toBe(false);
    expect(() => parseConfig({ ...q3, use_sliding_window: true })).toThrow(
      'config.json: use_sliding_window is true; sliding-window attention is not implemented: use a checkpoint with use_sliding_window false',
    );
  });

  it('biases follow the modelling classes, not stray config keys: Mistral has none, Qwen2/Qwen3 MLPs none, Llama reads mlp_bias', () => {
    const stray = { attention_bias: true, mlp_bias: true };
    expect(parseConfig({ ...fixture('fixtures/qwen2-tiny'), ...stray })).toMatchObject({ attentionBias: true, outputBias: false, mlpBias: false });
    expect(parseConfig({ ...fixture('fixtures/qwen3-tiny'), ...stray })).toMatchObject({ attentionBias: true, outputBias: true, mlpBias: false });
    expect(parseConfig({ ...fixture('fixtures/llama-gqa-untied'), model_type: 'mistral', ...stray })).toMatchObject({ attentionBias: false, outputBias: false, mlpBias: false });
    expect(parseConfig({ ...fixture('fixtures/llama-gqa-untied'), ...stray })).toMatchObject({ attentionBias: true, outputBias: true, mlpBias: true });
  });

  it('LlamaConfig defaults', () => {
    expect(parseConfig(llamaMinimal)).toEqual<ModelSpec>({
      arch: 'llama', family: 'llama', vocabSize: 100, hidden: 32, intermediate: 64, layers: 2, heads: 4, kvHeads: 4, headDim: 8, headNorm: false, slidingWindow: 0,
      layerTypes: ['full', 'full'], localRopeTheta: null, normWeightOffset: 0, sandwichNorms: false, gatedMlp: true, attnScale: 1 / Math.sqrt(8), embedScale: 1,
      rotaryDim: 8, learnedPositions: false, ropeTheta: 10000, ropeScaling: null, maxPositions: 2048, normEps: 1e-6, norm: 'rmsnorm',
      activation: 'silu', parallelResidual: false, tiedEmbeddings: false, attentionBias: false, outputBias: false, mlpBias: false,
      bosTokenId: 1, eosTokenId: 2,
    });
  });

  it('GPT2Config defaults', () => {
    expect(parseConfig(gpt2Minimal)).toMatchObject({
      arch: 'gpt2', family: 'gpt2', intermediate: 128, headDim: 8, kvHeads: 4, rotaryDim: 0, learnedPositions: true, maxPositions: 1024, normEps: 1e-5,
      norm: 'layernorm', activation: 'gelu_tanh', parallelResidual: false, tiedEmbeddings: true, attentionBias: true, outputBias: true, mlpBias: true,
      bosTokenId: 50256, eosTokenId: 50256,
    });
    expect(parseConfig({ ...gpt2Minimal, n_inner: 100, n_positions: 64, layer_norm_epsilon: 1e-6, activation_function: 'gelu_pytorch_tanh' })).toMatchObject({
      intermediate: 100, maxPositions: 64, normEps: 1e-6, activation: 'gelu_tanh',
    });
    // n_inner null means 4·n_embd; exact GELU is GPT2Config's 'gelu'; the switches at their defaults are accepted.
    expect(parseConfig({ ...gpt2Minimal, n_inner: null, activation_function: 'gelu', scale_attn_weights: true, scale_attn_by_inverse_layer_idx: false, reorder_and_upcast_attn: false })).toMatchObject({
      intermediate: 128, activation: 'gelu',
    });
  });

  it('GPTNeoXConfig defaults', () => {
    expect(parseConfig(neoxMinimal)).toMatchObject({
      rotaryDim: 2, ropeTheta: 10000, normEps: 1e-5, activation: 'gelu', parallelResidual: true, tiedEmbeddings: false,
      attentionBias: true, mlpBias: true, bosTokenId: 0, eosTokenId: 2, maxPositions: 2048,
    });
  });

  it('reads the alternative spellings', () => {
    expect(parseConfig({ ...neoxMinimal, partial_rotary_factor: 0.5, rope_theta: 1e4 }).rotaryDim).toBe(4);
    expect(parseConfig({ ...neoxMinimal, rotary_pct: 0.5, partial_rotary_factor: 0.5 }).rotaryDim).toBe(4);
    // transformers v5 writes rope settings into rope_parameters.
    const v5 = parseConfig({ ...neoxMinimal, rope_parameters: { rope_type: 'default', rope_theta: 5000, partial_rotary_factor: 1.0 } });
    expect(v5).toMatchObject({ rotaryDim: 8, ropeTheta: 5000, ropeScaling: null });
    const llamaV5 = parseConfig({ ...llamaMinimal, rope_parameters: { rope_type: 'llama3', rope_theta: 5e5, factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } });
    expect(llamaV5.ropeScaling).toEqual({ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    expect(llamaV5.ropeTheta).toBe(5e5);
    expect(parseConfig({ ...llamaMinimal, eos_token_id: [128001, 128008], bos_token_id: null })).toMatchObject({ eosTokenId: 128001, bosTokenId: null });
    expect(parseConfig({ ...llamaMinimal, hidden_act: 'swish', attention_bias: true, mlp_bias: true, tie_word_embeddings: true })).toMatchObject({ activation: 'silu', attentionBias: true, mlpBias: true, tiedEmbeddings: true });
    expect(parseConfig({ ...llamaMinimal, rope_scaling: { rope_type: 'default' } }).ropeScaling).toBeNull();
    expect(parseConfig({ ...neoxMinimal, use_parallel_residual: false, attention_bias: false, tie_word_embeddings: true })).toMatchObject({ parallelResidual: false, attentionBias: false, tiedEmbeddings: true });
  });
});

describe('parseConfig refuses what the engine does not implement, naming the field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /JSON object/],
    ['unknown model_type', { ...llamaMinimal, model_type: 'bert' }, /model_type "bert" is not supported; .*GPT-2 \('gpt2'\)/],
    ['GPT-2 without n_embd', { ...gpt2Minimal, n_embd: undefined }, /n_embd is missing/],
    ['GPT-2 without n_layer', { ...gpt2Minimal, n_layer: undefined }, /n_layer is missing/],
    ['GPT-2 n_head not dividing n_embd', { ...gpt2Minimal, n_head: 5 }, /n_head \(5\) must divide n_embd \(32\)/],
    ['GPT-2 fractional n_positions', { ...gpt2Minimal, n_positions: 1.5 }, /n_positions must be a positive integer/],
    ['GPT-2 zero n_inner', { ...gpt2Minimal, n_inner: 0 }, /n_inner must be a positive integer/],
    ['GPT-2 negative eps', { ...gpt2Minimal, layer_norm_epsilon: -1 }, /layer_norm_epsilon must be a positive number/],
    ['GPT-2 relu', { ...gpt2Minimal, activation_function: 'relu' }, /activation_function "relu" is not supported for GPT-2/],
    ['GPT-2 unscaled attention', { ...gpt2Minimal, scale_attn_weights: false }, /scale_attn_weights is false/],
    ['GPT-2 scaled by layer index', { ...gpt2Minimal, scale_attn_by_inverse_layer_idx: true }, /scale_attn_by_inverse_layer_idx is true/],
    ['GPT-2 reordered attention', { ...gpt2Minimal, reorder_and_upcast_attn: true }, /reorder_and_upcast_attn is true/],
    ['missing model_type', { ...llamaMinimal, model_type: undefined }, /model_type/],
    ['missing hidden_size', { ...llamaMinimal, hidden_size: undefined }, /hidden_size is missing/],
    ['fractional layer count', { ...llamaMinimal, num_hidden_layers: 2.5 }, /num_hidden_layers must be a positive integer/],
    ['heads not dividing hidden', { ...llamaMinimal, num_attention_heads: 5 }, /num_attention_heads \(5\) must divide hidden_size/],
    ['kv heads not dividing heads', { ...llamaMinimal, num_key_value_heads: 3 }, /num_key_value_heads \(3\)/],
    ['GQA on NeoX', { ...neoxMinimal, num_key_value_heads: 2 }, /num_key_value_heads/],
    ['NeoX head_dim mismatch', { ...neoxMinimal, head_dim: 4 }, /head_dim \(4\)/],
    ['Llama partial rotary', { ...llamaMinimal, partial_rotary_factor: 0.5 }, /partial_rotary_factor \(0.5\) must be 1/],
    ['odd rotary dims', { ...neoxMinimal, rotary_pct: 0.375 }, /rotary_pct gives 3 rotary dimensions/],
    ['rotary_pct above 1', { ...neoxMinimal, rotary_pct: 2 }, /rotary_pct \(2\) must be at most 1/],
    ['disagreeing spellings', { ...neoxMinimal, rotary_pct: 0.25, partial_rotary_factor: 0.5 }, /partial_rotary_factor \(0.5\) and rotary_pct \(0.25\) disagree|rotary_pct/],
    ['disagreeing theta', { ...neoxMinimal, rotary_emb_base: 10000, rope_theta: 500 }, /rotary_emb_base .* rope_theta .* disagree/],
    ['tanh GELU on NeoX', { ...neoxMinimal, hidden_act: 'gelu_new' }, /hidden_act "gelu_new"/],
    ['relu on Llama', { ...llamaMinimal, hidden_act: 'relu' }, /hidden_act "relu"/],
    ['linear rope scaling without a factor', { ...llamaMinimal, rope_scaling: { type: 'linear' } }, /rope_scaling\.factor must be a positive number for linear scaling/],
    ['dynamic rope scaling', { ...llamaMinimal, rope_scaling: { rope_type: 'dynamic', factor: 2 } }, /rope_scaling type "dynamic"/],
    ['yarn rope scaling', { ...llamaMinimal, rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling type "yarn"/],
    ['yarn in rope_parameters', { ...llamaMinimal, rope_parameters: { rope_type: 'yarn', factor: 4 } }, /rope_parameters type "yarn"/],
    ['rope_scaling not an object', { ...llamaMinimal, rope_scaling: 'llama3' }, /rope_scaling must be an object/],
    ['llama3 without factor', { ...llamaMinimal, rope_scaling: { rope_type: 'llama3', low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } }, /rope_scaling\.factor/],
    ['llama3 without original length', { ...llamaMinimal, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4 } }, /rope_scaling\.original_max_position_embeddings/],
    ['llama3 inverted band', { ...llamaMinimal, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 1, original_max_position_embeddings: 8192 } }, /high_freq_factor/],
    ['negative eps', { ...llamaMinimal, rms_norm_eps: -1 }, /rms_norm_eps must be a positive number/],
    ['non-boolean tie', { ...llamaMinimal, tie_word_embeddings: 'yes' }, /tie_word_embeddings must be true or false/],
    ['bad eos', { ...llamaMinimal, eos_token_id: 'x' }, /eos_token_id/],
  ];
  for (const [what, json, msg] of cases) {
    it(what, () => expect(refusal(json).message).toMatch(msg));
  }
});

describe('ropeInvFreq', () => {
  it('is theta^(-2i/rotaryDim) without scaling, over the rotary part only', () => {
    const spec = parseConfig(fixture('fixtures/gpt-neox-tiny'));
    const f = ropeInvFreq(spec);
    expect(f).toBeInstanceOf(Float64Array);
    expect([...f]).toEqual([1, 1 / 10000 ** 0.5]);
    const llama = ropeInvFreq(parseConfig(fixture('fixtures/llama-gqa-untied')));
    expect(llama.length).toBe(8);
    for (let i = 0; i < 8; i++) expect(llama[i]).toBeCloseTo(500000 ** (-i / 8), 15);
  });

  it('applies linear scaling (position interpolation) as transformers does: every frequency divided by the factor', () => {
    const plain = ropeInvFreq(parseConfig(fixture('fixtures/llama-gqa-untied')));
    const scaled = ropeInvFreq(parseConfig({ ...fixture('fixtures/llama-gqa-untied'), rope_scaling: { type: 'linear', factor: 4 } }));
    expect([...scaled]).toEqual([...plain].map((f) => f / 4));
  });

  it('applies llama3 scaling as transformers does (Llama 3.2 1B settings)', () => {
    const spec = parseConfig({
      model_type: 'llama', vocab_size: 128256, hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16,
      num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, rope_theta: 500000, max_position_embeddings: 131072,
      rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    });
    const got = ropeInvFreq(spec);
    expect(got.length).toBe(32);
    const kinds = new Set<string>();
    for (let i = 0; i < 32; i++) {
      const base = 1 / 500000 ** ((2 * i) / 64);
      const wavelen = (2 * Math.PI) / base;
      let want: number;
      if (wavelen < 8192 / 4) {
        want = base;
        kinds.add('kept');
      } else if (wavelen > 8192 / 1) {
        want = base / 32;
        kinds.add('divided');
      } else {
        const smooth = (8192 / wavelen - 1) / (4 - 1);
        want = (1 - smooth) * (base / 32) + smooth * base;
        kinds.add('blended');
      }
      expect(Math.abs(got[i] - want) / want).toBeLessThan(1e-14);
    }
    // The settings exercise all three bands.
    expect(kinds).toEqual(new Set(['kept', 'divided', 'blended']));
  });
});
