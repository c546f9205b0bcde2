/**
 * Hugging Face config.json objects with the exact shapes of two real models, for random-weight
 * benchmark models (src/model/sources/random-source.ts). Values follow the published configs of
 * EleutherAI/pythia-160m and meta-llama/Llama-3.2-1B; only the shapes and the math they select
 * matter here, the weights are random.
 */
export const PYTHIA_160M_CONFIG = {
  architectures: ['GPTNeoXForCausalLM'],
  model_type: 'gpt_neox',
  vocab_size: 50304,
  hidden_size: 768,
  intermediate_size: 3072,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  rotary_pct: 0.25,
  rotary_emb_base: 10000,
  max_position_embeddings: 2048,
  layer_norm_eps: 1e-5,
  hidden_act: 'gelu',
  use_parallel_residual: true,
  tie_word_embeddings: false,
  bos_token_id: 0,
  eos_token_id: 0,
} as const;

export const LLAMA_32_1B_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 128256,
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 64,
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  hidden_act: 'silu',
  tie_word_embeddings: true,
  attention_bias: false,
  mlp_bias: false,
  bos_token_id: 128000,
  eos_token_id: 128001,
} as const;

/** The random-weight models of `npm run bench -- --big`, by the name their results carry. */
export const BIG_MODELS: { name: string; config: Record<string, unknown> }[] = [
  { name: 'pythia-160m-shaped', config: PYTHIA_160M_CONFIG },
  { name: 'llama-3.2-1b-shaped', config: LLAMA_32_1B_CONFIG },
];
