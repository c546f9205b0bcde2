/**
 * Hugging Face config.json -> the typed spec the engine builds its kernels from. Defaults follow the
 * transformers config classes (LlamaConfig, GPTNeoXConfig, GPT2Config, Gemma3TextConfig) so a
 * config that omits a field means what it means in PyTorch; anything that would change the math in
 * a way the engine does not implement is refused by name. Field readers: config-fields.ts; GPT-2
 * and Gemma 3 have parsers of their own (config-gpt2.ts, config-gemma3.ts).
 */
import { ModelConfigError, bool, isRecord, oneOf, parseRopeScaling, posInt, posNum, present, refuse, show, tokenId, type Json } from './config-fields.ts';
import { parseGpt2 } from './config-gpt2.ts';
import { parseGemma3 } from './config-gemma3.ts';

export { ModelConfigError } from './config-fields.ts';

/** Which weight names and block layout (weight-plan.ts); every other difference is a ModelSpec field. */
export type Architecture = 'llama' | 'gpt_neox' | 'gpt2' | 'gemma3';

export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

/** Position interpolation: every rotary frequency divided by factor. */
export interface LinearRopeScaling {
  type: 'linear';
  factor: number;
}

export type RopeScaling = Llama3RopeScaling | LinearRopeScaling;

/** A layer attends to every earlier position ('full') or within the sliding window ('sliding'). */
export type LayerType = 'full' | 'sliding';

export interface ModelSpec {
  /** The computation: Llama's, GPT-NeoX's, GPT-2's or Gemma 3's. */
  arch: Architecture;
  /** The checkpoint's model_type ('llama', 'mistral', 'qwen2', 'qwen3', 'gpt_neox', 'gpt2', 'gemma3_text'), as info shows it. */
  family: string;
  vocabSize: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /**
   * Per-head RMSNorm on every q head and every k head (over headDim, eps normEps, one weight [headDim]
   * shared by the heads), after the projections and before rotary: Qwen3's and Gemma 3's q_norm / k_norm.
   */
  headNorm: boolean;
  /**
   * The sliding window of the 'sliding' layers: a position attends to itself and the
   * slidingWindow - 1 before it (shaders/attention.wgsl). Mistral's covers every layer, Gemma 3's
   * its local layers; 0 = none.
   */
  slidingWindow: number;
  /** Each layer's attention, [layers]: 'sliding' ones use slidingWindow (and localRopeTheta). layerWindow() reads it. */
  layerTypes: LayerType[];
  /** floor(headDim * rotary_pct) for NeoX, headDim for Llama, 0 (no rotary) for GPT-2. */
  rotaryDim: number;
  /**
   * Learned absolute position embeddings (GPT-2's wpe [maxPositions, hidden]), added to the input
   * embeddings before the first layer: to proto-token inputs too, as transformers adds them to
   * inputs_embeds (positions.ts).
   */
  learnedPositions: boolean;
  ropeTheta: number;
  /** Applies to the full-attention layers (all of them but Gemma 3's local ones). */
  ropeScaling: null | RopeScaling;
  /** Gemma 3: the 'sliding' layers' rotary base (rope_local_base_freq), unscaled; null: they share ropeTheta. */
  localRopeTheta: number | null;
  maxPositions: number;
  normEps: number;
  norm: 'rmsnorm' | 'layernorm';
  /**
   * Added to every RMSNorm weight at load: Gemma scales by (1 + w), the others by w. 0 or 1.
   */
  normWeightOffset: number;
  /**
   * Gemma 3's sandwich norms: the attention output and the MLP output are each RMSNorm-ed
   * (post_attention_layernorm, post_feedforward_layernorm) before they join the residual.
   */
  sandwichNorms: boolean;
  /** SiLU (Llama), exact erf GELU (NeoX), or GELU's tanh approximation (GPT-2's gelu_new, Gemma's gelu_pytorch_tanh). */
  activation: 'silu' | 'gelu' | 'gelu_tanh';
  /**
   * A gated MLP, down(act(gate(h)) * up(h)) with gate | up one fused [2I, d] matrix (SwiGLU for
   * Llama, GeGLU for Gemma); otherwise down(act(up(h))).
   */
  gatedMlp: boolean;
  /** Multiplies every attention score: 1/sqrt(headDim), Gemma's query_pre_attn_scalar^-1/2. */
  attnScale: number;
  /**
   * Multiplies token embeddings as they are looked up (Gemma: sqrt(hidden_size)), 1 elsewhere.
   * Inside the token embedding only: proto-token inputs, like inputs_embeds, are not scaled.
   */
  embedScale: number;
  parallelResidual: boolean;
  tiedEmbeddings: boolean;
  /** Biases on the q, k and v projections (GPT-NeoX's fused query_key_value; Qwen2 always). */
  attentionBias: boolean;
  /** A bias on the attention's output projection (Llama's o_proj with attention_bias; NeoX's dense; never Qwen2's). */
  outputBias: boolean;
  mlpBias: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

const FAMILIES = "Llama ('llama'), Mistral ('mistral'), Qwen2 ('qwen2'), Qwen3 ('qwen3'), Gemma 3 ('gemma3_text', or 'gemma3' for its text part), GPT-NeoX/Pythia ('gpt_neox') and GPT-2 ('gpt2')";

/** Layer l's window: the sliding window on 'sliding' layers, 0 (every earlier position) on the others. */
export function layerWindow(spec: ModelSpec, l: number): number {
  return spec.layerTypes[l] === 'sliding' ? spec.slidingWindow : 0;
}

/** Layer l's rotary table: 'local' where it has a base of its own (Gemma 3's sliding layers). */
export function layerRope(spec: ModelSpec, l: number): 'global' | 'local' {
  return spec.localRopeTheta !== null && spec.layerTypes[l] === 'sliding' ? 'local' : 'global';
}

export function parseConfig(json: unknown): ModelSpec {
  if (!isRecord(json)) throw new ModelConfigError('config.json must contain a JSON object');
  const cfg = json;
  const modelType = cfg.model_type;
  if (modelType === 'gpt2') return parseGpt2(cfg);
  if (modelType === 'gemma3_text' || modelType === 'gemma3') return parseGemma3(cfg);
  if (modelType !== 'llama' && modelType !== 'gpt_neox' && modelType !== 'qwen2' && modelType !== 'qwen3' && modelType !== 'mistral') {
    refuse('model_type', `${show(modelType)} is not supported; the lab runs ${FAMILIES} checkpoints`);
  }
  // Qwen2 is Llama's computation with biases on q, k and v (none on o_proj). Qwen3 is Llama's with
  // per-head RMSNorm on q and k before rotary, a head_dim of its own (Qwen3Config: 128 unless
  // given) and Llama's optional attention_bias (q, k, v and o).
  // Mistral is Llama's computation with a sliding window on every layer (sliding_window: null or
  // absent means none).
  const qwen2 = modelType === 'qwen2';
  const qwen3 = modelType === 'qwen3';
  const mistral = modelType === 'mistral';
  const arch = qwen2 || qwen3 || mistral ? 'llama' : modelType;
  const neox = arch === 'gpt_neox';
  if ((qwen2 || qwen3) && cfg.use_sliding_window === true) refuse('use_sliding_window', 'is true; sliding-window attention is not implemented: use a checkpoint with use_sliding_window false');
  // transformers v5 writes rope settings into rope_parameters; older configs use top-level fields.
  const ropeParams = cfg.rope_parameters;
  if (ropeParams !== undefined && ropeParams !== null && !isRecord(ropeParams)) refuse('rope_parameters', `must be an object, got ${show(ropeParams)}`);
  const rp: Json = isRecord(ropeParams) ? ropeParams : {};

  const vocabSize = posInt(cfg, 'vocab_size');
  const hidden = posInt(cfg, 'hidden_size');
  const intermediate = posInt(cfg, 'intermediate_size');
  const layers = posInt(cfg, 'num_hidden_layers');
  const heads = posInt(cfg, 'num_attention_heads');
  const maxPositions = posInt(cfg, 'max_position_embeddings', 2048);

  if (!qwen3 && !present(cfg, 'head_dim') && hidden % heads !== 0) {
    refuse('num_attention_heads', `(${heads}) must divide hidden_size (${hidden}) when head_dim is not given`);
  }
  const derivedHeadDim = Math.floor(hidden / heads);
  const headDim = posInt(cfg, 'head_dim', qwen3 ? 128 : derivedHeadDim);
  if (neox && headDim !== derivedHeadDim) refuse('head_dim', `(${headDim}) must equal hidden_size / num_attention_heads (${derivedHeadDim}) for GPT-NeoX`);

  const kvHeads = posInt(cfg, 'num_key_value_heads', heads);
  if (heads % kvHeads !== 0) refuse('num_key_value_heads', `(${kvHeads}) must divide num_attention_heads (${heads})`);
  if (neox && kvHeads !== heads) refuse('num_key_value_heads', `(${kvHeads}) must equal num_attention_heads for GPT-NeoX, which has no grouped-query attention`);

  let rotaryDim = headDim;
  const fraction = neox
    ? oneOf(
        [
          { label: 'rope_parameters.partial_rotary_factor', cfg: rp, key: 'partial_rotary_factor' },
          { label: 'partial_rotary_factor', cfg, key: 'partial_rotary_factor' },
          { label: 'rotary_pct', cfg, key: 'rotary_pct' },
        ],
        0.25,
      )
    : oneOf(
        [
          { label: 'rope_parameters.partial_rotary_factor', cfg: rp, key: 'partial_rotary_factor' },
          { label: 'partial_rotary_factor', cfg, key: 'partial_rotary_factor' },
        ],
        1,
      );
  if (neox) {
    if (fraction.value > 1) refuse(fraction.label, `(${fraction.value}) must be at most 1`);
    rotaryDim = Math.floor(headDim * fraction.value);
  } else if (fraction.value !== 1) {
    // LlamaAttention rotates the whole head; a partial factor would make transformers itself fail.
    refuse(fraction.label, `(${fraction.value}) must be 1 for Llama, which rotates the full head`);
  }
  if (rotaryDim < 2 || rotaryDim % 2 !== 0) {
    refuse(fraction.label, `gives ${rotaryDim} rotary dimensions of ${headDim}; the engine needs a positive even count`);
  }

  const ropeTheta = oneOf(
    [
      { label: 'rope_parameters.rope_theta', cfg: rp, key: 'rope_theta' },
      ...(neox ? [{ label: 'rotary_emb_base', cfg, key: 'rotary_emb_base' }] : []),
      { label: 'rope_theta', cfg, key: 'rope_theta' },
    ],
    10000,
  ).value;

  let ropeScaling = parseRopeScaling(cfg.rope_scaling, 'rope_scaling');
  const fromParams = parseRopeScaling(ropeParams, 'rope_parameters');
  if (ropeScaling && fromParams && JSON.stringify(ropeScaling) !== JSON.stringify(fromParams)) {
    refuse('rope_scaling', 'and rope_parameters describe different scalings; remove one of them');
  }
  ropeScaling ??= fromParams;

  const act = cfg.hidden_act ?? (neox ? 'gelu' : 'silu');
  let activation: 'silu' | 'gelu';
  if (neox) {
    // Only the exact erf GELU: gelu_new / gelu_fast / gelu_pytorch_tanh are tanh approximations with other numbers.
    if (act !== 'gelu') refuse('hidden_act', `${show(act)} is not supported for GPT-NeoX; only exact 'gelu' is implemented`);
    activation = 'gelu';
  } else {
    if (act !== 'silu' && act !== 'swish') refuse('hidden_act', `${show(act)} is not supported for Llama; only 'silu' is implemented`);
    activation = 'silu';
  }

  const slidingWindow = mistral && cfg.sliding_window !== null && cfg.sliding_window !== undefined ? posInt(cfg, 'sliding_window') : 0;
  return {
    arch,
    family: modelType,
    vocabSize,
    hidden,
    intermediate,
    layers,
    heads,
    kvHeads,
    headDim,
    headNorm: qwen3,
    slidingWindow,
    layerTypes: Array<LayerType>(layers).fill(slidingWindow > 0 ? 'sliding' : 'full'),
    rotaryDim,
    learnedPositions: false,
    ropeTheta,
    ropeScaling,
    localRopeTheta: null,
    maxPositions,
    normEps: neox ? posNum(cfg, 'layer_norm_eps', 1e-5) : posNum(cfg, 'rms_norm_eps', 1e-6),
    norm: neox ? 'layernorm' : 'rmsnorm',
    normWeightOffset: 0,
    sandwichNorms: false,
    activation,
    gatedMlp: !neox,
    attnScale: 1 / Math.sqrt(headDim),
    embedScale: 1,
    parallelResidual: neox ? bool(cfg, 'use_parallel_residual', true) : false,
    tiedEmbeddings: bool(cfg, 'tie_word_embeddings', false),
    // transformers builds Mistral's projections without biases whatever the config says, Qwen2's
    // q/k/v with and o without; Llama and Qwen3 follow attention_bias.
    attentionBias: qwen2 ? true : mistral ? false : bool(cfg, 'attention_bias', neox),
    outputBias: qwen2 || mistral ? false : bool(cfg, 'attention_bias', neox),
    // GPTNeoXMLP always builds its Linear layers with bias; only Llama makes it configurable.
    mlpBias: neox ? true : modelType === 'llama' ? bool(cfg, 'mlp_bias', false) : false,
    bosTokenId: tokenId(cfg, 'bos_token_id', neox ? 0 : 1),
    eosTokenId: tokenId(cfg, 'eos_token_id', 2),
  };
}

/**
 * rotaryDim/2 inverse frequencies theta^(-2i/rotaryDim) in float64 for the full-attention layers
 * ('global'), with the scaling applied as transformers does: linear divides every frequency by
 * `factor`; llama3 (_compute_llama3_parameters) divides long wavelengths by `factor`, keeps short
 * ones and interpolates the band between. 'local': Gemma 3's sliding layers, base
 * localRopeTheta, unscaled (layerRope picks which a layer uses).
 */
export function ropeInvFreq(spec: ModelSpec, which: 'global' | 'local' = 'global'): Float64Array {
  const dim = spec.rotaryDim;
  const local = which === 'local' && spec.localRopeTheta !== null;
  const theta = local ? spec.localRopeTheta! : spec.ropeTheta;
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < out.length; i++) out[i] = 1 / theta ** ((2 * i) / dim);
  const s = local ? null : spec.ropeScaling;
  if (!s) return out;
  if (s.type === 'linear') return out.map((inv) => inv / s.factor);
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  for (let i = 0; i < out.length; i++) {
    const inv = out[i];
    const wavelen = (2 * Math.PI) / inv;
    if (wavelen > lowFreqWavelen) {
      out[i] = inv / s.factor;
    } else if (!(wavelen < highFreqWavelen)) {
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = ((1 - smooth) * inv) / s.factor + smooth * inv;
    }
  }
  return out;
}
