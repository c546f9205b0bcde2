import type { LayerType, ModelSpec } from './config.ts';
import { ModelConfigError, bool, isRecord, oneOf, parseRopeScaling, posInt, posNum, refuse, show, tokenId, type Json } from './config-fields.ts';

/**
 * Gemma3TextConfig (model_type 'gemma3_text': Gemma 3 270M and 1B), or the text part of a
 * multimodal 'gemma3' checkpoint (4B and up: the same keys under text_config). Real configs are
 * sparse and rely on the class defaults, so every absent field takes transformers' default.
 *
 * The computation it selects (transformers' Gemma3DecoderLayer):
 *   x  = embed(ids) · sqrt(hidden)                 (inputs_embeds are not scaled)
 *   xm = x + post_attention_norm(o(attn(input_norm(x))))        attention scaled by query_pre_attn_scalar^-1/2,
 *   x' = xm + post_feedforward_norm(down(gelu_tanh(gate(h)) · up(h))),  h = pre_feedforward_norm(xm)
 * with every RMSNorm (layer norms, q/k head norms, the final norm) scaling by (1 + w), and each
 * layer of layer_types either full attention (rope_theta, rope_scaling) or a sliding window of
 * sliding_window tokens (rope_local_base_freq, unscaled).
 */
export function parseGemma3(root: Json): ModelSpec {
  if (root.model_type === 'gemma3_text') return parseText(root, root);
  const text = root.text_config;
  if (!isRecord(text)) refuse('text_config', `is ${text === undefined ? 'missing' : show(text)}; a 'gemma3' checkpoint describes its language model there`);
  if (text.model_type !== undefined && text.model_type !== 'gemma3_text') refuse('text_config.model_type', `is ${show(text.model_type)}; the lab runs a gemma3 checkpoint's 'gemma3_text' part only`);
  try {
    return parseText(text, root);
  } catch (e) {
    // The readers name the field inside text_config: say so.
    if (e instanceof ModelConfigError) throw new ModelConfigError(e.message.replace('config.json: ', 'config.json: text_config.'));
    throw e;
  }
}

const LAYER_TYPES: Record<string, LayerType> = { full_attention: 'full', sliding_attention: 'sliding' };

function parseLayerTypes(cfg: Json, layers: number): LayerType[] {
  const raw = cfg.layer_types;
  if (raw === undefined || raw === null) {
    // Older configs: every sliding_window_pattern-th layer is global, the rest local.
    const pattern = posInt(cfg, 'sliding_window_pattern', 6);
    return Array.from({ length: layers }, (_, i) => ((i + 1) % pattern === 0 ? 'full' : 'sliding'));
  }
  if (!Array.isArray(raw) || raw.length !== layers) refuse('layer_types', `must list one type per layer (${layers}), got ${show(raw)}`);
  return raw.map((t, i) => LAYER_TYPES[t as string] ?? refuse(`layer_types[${i}]`, `is ${show(t)}; expected 'full_attention' or 'sliding_attention'`));
}

function parseText(cfg: Json, root: Json): ModelSpec {
  for (const key of ['final_logit_softcapping', 'attn_logit_softcapping']) {
    if (cfg[key] !== undefined && cfg[key] !== null) refuse(key, `is ${show(cfg[key])}; logit soft-capping (Gemma 2) is not implemented, Gemma 3 checkpoints have none`);
  }
  if (bool(cfg, 'use_bidirectional_attention', false)) refuse('use_bidirectional_attention', 'is true; the lab runs causal language models only');
  const act = cfg.hidden_activation ?? cfg.hidden_act ?? 'gelu_pytorch_tanh';
  if (act !== 'gelu_pytorch_tanh' && act !== 'gelu_new' && act !== 'gelu_fast') {
    refuse('hidden_activation', `${show(act)} is not supported for Gemma 3; only 'gelu_pytorch_tanh' (and its equals 'gelu_new', 'gelu_fast') is implemented`);
  }
  const layers = posInt(cfg, 'num_hidden_layers', 26);
  const hidden = posInt(cfg, 'hidden_size', 2304);
  const heads = posInt(cfg, 'num_attention_heads', 8);
  const kvHeads = posInt(cfg, 'num_key_value_heads', 4);
  if (heads % kvHeads !== 0) refuse('num_key_value_heads', `(${kvHeads}) must divide num_attention_heads (${heads})`);
  const headDim = posInt(cfg, 'head_dim', 256);

  // Rotary: rope_theta / rope_scaling for full layers and rope_local_base_freq for sliding ones, or
  // (transformers v5) rope_parameters holding one entry per layer type.
  const rp = isRecord(cfg.rope_parameters) ? cfg.rope_parameters : {};
  if (cfg.rope_parameters !== undefined && cfg.rope_parameters !== null && !isRecord(cfg.rope_parameters)) refuse('rope_parameters', `must be an object, got ${show(cfg.rope_parameters)}`);
  const full = isRecord(rp.full_attention) ? rp.full_attention : {};
  const sliding = isRecord(rp.sliding_attention) ? rp.sliding_attention : {};
  const ropeTheta = oneOf(
    [
      { label: 'rope_parameters.full_attention.rope_theta', cfg: full, key: 'rope_theta' },
      { label: 'rope_theta', cfg, key: 'rope_theta' },
    ],
    1_000_000,
  ).value;
  const localRopeTheta = oneOf(
    [
      { label: 'rope_parameters.sliding_attention.rope_theta', cfg: sliding, key: 'rope_theta' },
      { label: 'rope_local_base_freq', cfg, key: 'rope_local_base_freq' },
    ],
    10_000,
  ).value;
  if (parseRopeScaling(sliding, 'rope_parameters.sliding_attention')) refuse('rope_parameters.sliding_attention', 'scales the local layers\' rotary; Gemma 3 leaves them unscaled and so does the lab');
  let ropeScaling = parseRopeScaling(cfg.rope_scaling, 'rope_scaling');
  const fromParams = parseRopeScaling(full, 'rope_parameters.full_attention');
  if (ropeScaling && fromParams && JSON.stringify(ropeScaling) !== JSON.stringify(fromParams)) refuse('rope_scaling', 'and rope_parameters.full_attention describe different scalings; remove one of them');
  ropeScaling ??= fromParams;

  const bias = bool(cfg, 'attention_bias', false);
  return {
    arch: 'gemma3',
    family: 'gemma3_text',
    vocabSize: posInt(cfg, 'vocab_size', 262_208),
    hidden,
    intermediate: posInt(cfg, 'intermediate_size', 9216),
    layers,
    heads,
    kvHeads,
    headDim,
    headNorm: true,
    slidingWindow: posInt(cfg, 'sliding_window', 4096),
    layerTypes: parseLayerTypes(cfg, layers),
    rotaryDim: headDim,
    learnedPositions: false,
    ropeTheta,
    ropeScaling,
    localRopeTheta,
    maxPositions: posInt(cfg, 'max_position_embeddings', 131_072),
    normEps: posNum(cfg, 'rms_norm_eps', 1e-6),
    norm: 'rmsnorm',
    normWeightOffset: 1,
    sandwichNorms: true,
    activation: 'gelu_tanh',
    gatedMlp: true,
    attnScale: 1 / Math.sqrt(posNum(cfg, 'query_pre_attn_scalar', 256)),
    embedScale: Math.sqrt(hidden),
    parallelResidual: false,
    tiedEmbeddings: bool(root, 'tie_word_embeddings', bool(cfg, 'tie_word_embeddings', true)),
    attentionBias: bias,
    outputBias: bias,
    mlpBias: false,
    // A multimodal checkpoint keeps its token ids at the top level.
    bosTokenId: tokenId(root, 'bos_token_id', tokenId(cfg, 'bos_token_id', 2)),
    eosTokenId: tokenId(root, 'eos_token_id', tokenId(cfg, 'eos_token_id', 1)),
  };
}
