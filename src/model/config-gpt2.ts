import type { LayerType, ModelSpec } from './config.ts';
import { bool, posInt, posNum, refuse, show, tokenId, type Json } from './config-fields.ts';

/**
 * GPT2Config: its own keys (n_embd, n_layer, n_head, n_positions, n_inner, layer_norm_epsilon,
 * activation_function), learned absolute positions and no rotary, pre-LayerNorm blocks with a
 * sequential residual, biases everywhere, the head tied to wte unless tie_word_embeddings is false.
 */
export function parseGpt2(cfg: Json): ModelSpec {
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
    layerTypes: Array<LayerType>(layers).fill('full'),
    rotaryDim: 0,
    learnedPositions: true,
    ropeTheta: 10000,
    ropeScaling: null,
    localRopeTheta: null,
    maxPositions: posInt(cfg, 'n_positions', 1024),
    normEps: posNum(cfg, 'layer_norm_epsilon', 1e-5),
    norm: 'layernorm',
    normWeightOffset: 0,
    sandwichNorms: false,
    activation,
    gatedMlp: false,
    attnScale: 1 / Math.sqrt(hidden / heads),
    embedScale: 1,
    parallelResidual: false,
    tiedEmbeddings: bool(cfg, 'tie_word_embeddings', true),
    attentionBias: true,
    outputBias: true,
    mlpBias: true,
    bosTokenId: tokenId(cfg, 'bos_token_id', 50256),
    eosTokenId: tokenId(cfg, 'eos_token_id', 50256),
  };
}

