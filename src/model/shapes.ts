import type { WeightFormat } from './weight-format.ts';

/**
 * Hugging Face config.json objects with the exact shapes of the paper's six models, for
 * random-weight models (sources/random-source.ts): `--shape NAME` on the command line, the
 * benchmarks and the memory table. Values follow the published configs of EleutherAI/pythia-160m,
 * -410m, -1.4b and meta-llama/Llama-3.2-1B, -3B and Llama-3.1-8B; only the shapes and the math
 * they select matter, the weights are random.
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

const pythia = (hidden: number, layers: number, heads: number) => ({ ...PYTHIA_160M_CONFIG, hidden_size: hidden, intermediate_size: 4 * hidden, num_hidden_layers: layers, num_attention_heads: heads });

export const PYTHIA_410M_CONFIG = pythia(1024, 24, 16);
export const PYTHIA_1_4B_CONFIG = pythia(2048, 24, 16);

export const LLAMA_32_3B_CONFIG = {
  ...LLAMA_32_1B_CONFIG,
  hidden_size: 3072,
  intermediate_size: 8192,
  num_hidden_layers: 28,
  num_attention_heads: 24,
  num_key_value_heads: 8,
  head_dim: 128,
} as const;

export const LLAMA_31_8B_CONFIG = {
  ...LLAMA_32_1B_CONFIG,
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 128,
  tie_word_embeddings: false,
  rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
} as const;

export interface ModelShape {
  name: string;
  config: Record<string, unknown>;
  /** The precision the real checkpoint is published in (Pythia: float16; Llama 3: bfloat16). */
  checkpointFormat: WeightFormat;
}

/** The paper's six models, by the names `--shape` takes. */
export const MODEL_SHAPES: readonly ModelShape[] = [
  { name: 'pythia-160m', config: PYTHIA_160M_CONFIG, checkpointFormat: 'f16' },
  { name: 'pythia-410m', config: PYTHIA_410M_CONFIG, checkpointFormat: 'f16' },
  { name: 'pythia-1.4b', config: PYTHIA_1_4B_CONFIG, checkpointFormat: 'f16' },
  { name: 'llama-3.2-1b', config: LLAMA_32_1B_CONFIG, checkpointFormat: 'bf16' },
  { name: 'llama-3.2-3b', config: LLAMA_32_3B_CONFIG, checkpointFormat: 'bf16' },
  { name: 'llama-3.1-8b', config: LLAMA_31_8B_CONFIG, checkpointFormat: 'bf16' },
];

export function modelShape(name: string): ModelShape {
  const s = MODEL_SHAPES.find((m) => m.name === name);
  if (!s) throw new Error(`There is no model shape "${name}"; the shapes are ${MODEL_SHAPES.map((m) => m.name).join(', ')}.`);
  return s;
}

/** The random-weight models of `npm run bench -- --big`, by the name their results carry. */
export const BIG_MODELS: { name: string; config: Record<string, unknown> }[] = [
  { name: 'pythia-160m-shaped', config: PYTHIA_160M_CONFIG },
  { name: 'llama-3.2-1b-shaped', config: LLAMA_32_1B_CONFIG },
];
