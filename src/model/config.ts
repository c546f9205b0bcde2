/**
 * Hugging Face config.json -> the typed spec the engine builds its kernels from. Defaults follow the
 * transformers config classes (LlamaConfig, GPTNeoXConfig, GPT2Config) so a config that omits a field means what it means in
 * PyTorch; anything that would change the math in a way the engine does not implement is refused by name.
 */

export type Architecture = 'llama' | 'gpt_neox' | 'gpt2';

export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface ModelSpec {
  /** The computation: Llama's, GPT-NeoX's or GPT-2's. */
  arch: Architecture;
  /** The checkpoint's model_type ('llama', 'mistral', 'qwen2', 'qwen3', 'gpt_neox', 'gpt2'), as info shows it. */
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
   * shared by the heads), after the projections and before rotary: Qwen3's q_norm / k_norm.
   */
  headNorm: boolean;
  /**
   * Mistral's sliding window: a position attends to itself and the slidingWindow - 1 before it
   * (shaders/attention.wgsl); 0 = every earlier position.
   */
  slidingWindow: number;
  /** floor(headDim * rotary_pct) for NeoX, headDim for Llama, 0 (no rotary) for GPT-2. */
  rotaryDim: number;
  /**
   * Learned absolute position embeddings (GPT-2's wpe [maxPositions, hidden]), added to the input
   * embeddings before the first layer: to proto-token inputs too, as transformers adds them to
   * inputs_embeds (positions.ts).
   */
  learnedPositions: boolean;
  ropeTheta: number;
  ropeScaling: null | Llama3RopeScaling;
  maxPositions: number;
  normEps: number;
  norm: 'rmsnorm' | 'layernorm';
  /** SwiGLU (Llama), exact erf GELU (NeoX), or GELU's tanh approximation (GPT-2's gelu_new). */
  activation: 'silu' | 'gelu' | 'gelu_tanh';
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

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuse(field: string, msg: string): never {
  throw new ModelConfigError(`config.json: ${field} ${msg}`);
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

function present(cfg: Json, key: string): boolean {
  return cfg[key] !== undefined && cfg[key] !== null;
}

function posInt(cfg: Json, key: string, fallback?: number): number {
  if (!present(cfg, key)) {
    if (fallback !== undefined) return fallback;
    refuse(key, 'is missing; it is required to size the model (is this a complete Hugging Face config.json?)');
  }
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) refuse(key, `must be a positive integer, got ${show(v)}`);
  return v;
}

function posNum(cfg: Json, key: string, fallback: number, label = key): number {
  if (!present(cfg, key)) return fallback;
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) refuse(label, `must be a positive number, got ${show(v)}`);
  return v;
}

function bool(cfg: Json, key: string, fallback: boolean): boolean {
  if (!present(cfg, key)) return fallback;
  const v = cfg[key];
  if (typeof v !== 'boolean') refuse(key, `must be true or false, got ${show(v)}`);
  return v;
}

/** Llama 3 configs list several EOS ids; generation stops on the first, which is the end-of-text token. */
function tokenId(cfg: Json, key: string, fallback: number | null): number | null {
  if (!(key in cfg)) return fallback;
  let v = cfg[key];
  if (v === null) return null;
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    v = v[0];
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) refuse(key, `must be a non-negative integer, a list of them, or null; got ${show(cfg[key])}`);
  return v;
}

/**
 * The same quantity can come from an older and a newer spelling (rotary_pct / partial_rotary_factor /
 * rope_parameters). Precedence follows transformers; two spellings that disagree are refused rather than guessed.
 */
function oneOf(sources: { label: string; cfg: Json; key: string }[], fallback: number): { value: number; label: string } {
  let found: { value: number; label: string } | null = null;
  for (const s of sources) {
    if (!present(s.cfg, s.key)) continue;
    const value = posNum(s.cfg, s.key, 0, s.label);
    if (found && found.value !== value) refuse(found.label, `(${found.value}) and ${s.label} (${value}) disagree; remove one of them`);
    found ??= { value, label: s.label };
  }
  return found ?? { value: fallback, label: sources[0].label };
}

function parseRopeScaling(raw: unknown, field: string): null | Llama3RopeScaling {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw)) refuse(field, `must be an object or null, got ${show(raw)}`);
  const type = raw.rope_type ?? raw.type;
  if (type === undefined || type === 'default') return null;
  if (type !== 'llama3') {
    refuse(field, `type ${show(type)} is not supported; the engine implements plain RoPE and 'llama3' scaling only`);
  }
  const num = (key: string): number => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) refuse(`${field}.${key}`, `must be a positive number for llama3 scaling, got ${show(v)}`);
    return v;
  };
  const scaling: Llama3RopeScaling = {
    type: 'llama3',
    factor: num('factor'),
    lowFreqFactor: num('low_freq_factor'),
    highFreqFactor: num('high_freq_factor'),
    originalMaxPositions: num('original_max_position_embeddings'),
  };
  if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
    refuse(`${field}.high_freq_factor`, `(${scaling.highFreqFactor}) must exceed low_freq_factor (${scaling.lowFreqFactor})`);
  }
  return scaling;
}

export function parseConfig(json: unknown): ModelSpec {
  if (!isRecord(json)) throw new ModelConfigError('config.json must contain a JSON object');
  const cfg = json;
  const modelType = cfg.model_type;
  if (modelType !== 'llama' && modelType !== 'gpt_neox' && modelType !== 'qwen2' && modelType !== 'qwen3' && modelType !== 'mistral' && modelType !== 'gpt2') {
    refuse(
      'model_type',
      `${show(modelType)} is not supported; the lab runs Llama ('llama'), Mistral ('mistral'), Qwen2 ('qwen2'), Qwen3 ('qwen3'), GPT-NeoX/Pythia ('gpt_neox') and GPT-2 ('gpt2') checkpoints`,
    );
  }
  if (modelType === 'gpt2') return parseGpt2(cfg);
  // Qwen2 is Llama's computation with biases on q, k and v (none on o_proj). Qwen3 is Llama's with
  // per-head RMSNorm on q and k before rotary, a head_dim of its own (Qwen3Config: 128 unless
  // given) and Llama's optional attention_bias (q, k, v and o).
  // Mistral is Llama's computation with a sliding window on every layer (sliding_window: null or
  // absent means none).
  const qwen2 = modelType === 'qwen2';
  const qwen3 = modelType === 'qwen3';
  const mistral = modelType === 'mistral';
  const arch: Architecture = qwen2 || qwen3 || mistral ? 'llama' : modelType;
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
    slidingWindow: mistral && cfg.sliding_window !== null && cfg.sliding_window !== undefined ? posInt(cfg, 'sliding_window') : 0,
    rotaryDim,
    learnedPositions: false,
    ropeTheta,
    ropeScaling,
    maxPositions,
    normEps: neox ? posNum(cfg, 'layer_norm_eps', 1e-5) : posNum(cfg, 'rms_norm_eps', 1e-6),
    norm: neox ? 'layernorm' : 'rmsnorm',
    activation,
    parallelResidual: neox ? bool(cfg, 'use_parallel_residual', true) : false,
    tiedEmbeddings: bool(cfg, 'tie_word_embeddings', false),
    attentionBias: qwen2 ? true : bool(cfg, 'attention_bias', neox),
    outputBias: qwen2 ? false : bool(cfg, 'attention_bias', neox),
    // GPTNeoXMLP always builds its Linear layers with bias; only Llama makes it configurable.
    mlpBias: neox ? true : bool(cfg, 'mlp_bias', false),
    bosTokenId: tokenId(cfg, 'bos_token_id', neox ? 0 : 1),
    eosTokenId: tokenId(cfg, 'eos_token_id', 2),
  };
}

/**
 * GPT2Config: its own keys (n_embd, n_layer, n_head, n_positions, n_inner, layer_norm_epsilon,
 * activation_function), learned absolute positions and no rotary, pre-LayerNorm blocks with a
 * sequential residual, biases everywhere, the head tied to wte unless tie_word_embeddings is false.
 */
function parseGpt2(cfg: Json): ModelSpec {
  const vocabSize = posInt(cfg, 'vocab_size');
  const hidden = posInt(cfg, 'n_embd');
  const layers = posInt(cfg, 'n_layer');
  const heads = posInt(cfg, 'n_head');
  if (hidden % heads !== 0) refuse('n_head', `(${heads}) must divide n_embd (${hidden})`);
  // GPT2Attention scales scores by 1/sqrt(head_dim) only; the other two switches change the math.
  if (!bool(cfg, 'scale_attn_weights', true)) refuse('scale_attn_weights', 'is false; only scores scaled by 1/sqrt(head_dim) are implemented');
  if (bool(cfg, 'scale_attn_by_inverse_layer_idx', false)) refuse('scale_attn_by_inverse_layer_idx', 'is true; scores scaled by 1/(layer index + 1) are not implemented');
  if (bool(cfg, 'reorder_and_upcast_attn', false)) refuse('reorder_and_upcast_attn', 'is true; the reordered, upcast attention is not implemented');
  const act = cfg.activation_function ?? 'gelu_new';
  let activation: 'gelu' | 'gelu_tanh';
  // gelu_new, gelu_pytorch_tanh and gelu_fast are the same tanh approximation, written three ways.
  if (act === 'gelu_new' || act === 'gelu_pytorch_tanh' || act === 'gelu_fast') activation = 'gelu_tanh';
  else if (act === 'gelu') activation = 'gelu';
  else refuse('activation_function', `${show(act)} is not supported for GPT-2; only 'gelu_new' (and its equals 'gelu_pytorch_tanh', 'gelu_fast') and exact 'gelu' are implemented`);
  return {
    arch: 'gpt2',
    family: 'gpt2',
    vocabSize,
    hidden,
    intermediate: posInt(cfg, 'n_inner', 4 * hidden),
    layers,
    heads,
    kvHeads: heads,
    headDim: hidden / heads,
    headNorm: false,
    slidingWindow: 0,
    rotaryDim: 0,
    learnedPositions: true,
    ropeTheta: 10000,
    ropeScaling: null,
    maxPositions: posInt(cfg, 'n_positions', 1024),
    normEps: posNum(cfg, 'layer_norm_epsilon', 1e-5),
    norm: 'layernorm',
    activation,
    parallelResidual: false,
    tiedEmbeddings: bool(cfg, 'tie_word_embeddings', true),
    attentionBias: true,
    outputBias: true,
    mlpBias: true,
    bosTokenId: tokenId(cfg, 'bos_token_id', 50256),
    eosTokenId: tokenId(cfg, 'eos_token_id', 50256),
  };
}

/**
 * rotaryDim/2 inverse frequencies theta^(-2i/rotaryDim) in float64, with llama3 scaling applied as in
 * transformers' _compute_llama3_parameters: long wavelengths divided by `factor`, short ones kept, the band
 * between interpolated.
 */
export function ropeInvFreq(spec: ModelSpec): Float64Array {
  const dim = spec.rotaryDim;
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < out.length; i++) out[i] = 1 / spec.ropeTheta ** ((2 * i) / dim);
  const s = spec.ropeScaling;
  if (!s) return out;
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
