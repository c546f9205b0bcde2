/**
 * stories260k's weights for the peers: every tensor of model.safetensors as f32 by its Hugging
 * Face name, the Llama shape constants from config.json, and the RoPE cos / sin tables (the
 * rotate-half convention of transformers' LlamaRotaryEmbedding). Read with the lab's own
 * safetensors reader so that each peer is handed exactly the numbers the lab's engine loads.
 */
import { bytesSource, readSafetensorsHeader, readTensor } from '../../src/model/safetensors.ts';

export interface LlamaShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  eps: number;
  ropeTheta: number;
}

export interface PeerWeights {
  shape: LlamaShape;
  tensors: Map<string, { shape: number[]; data: F32 }>;
}

/** f32 data on a plain ArrayBuffer (what the libraries' typings ask for). */
export type F32 = Float32Array<ArrayBuffer>;

interface LlamaConfig {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  intermediate_size: number;
  vocab_size: number;
  rms_norm_eps: number;
  rope_theta?: number;
  tie_word_embeddings?: boolean;
  rope_scaling?: unknown;
}

export async function parseWeights(configJson: string, safetensors: Uint8Array): Promise<PeerWeights> {
  const c = JSON.parse(configJson) as LlamaConfig;
  if (c.tie_word_embeddings === false || c.rope_scaling) throw new Error('the peers implement a tied Llama without rope scaling (stories260k)');
  const shape: LlamaShape = {
    hidden: c.hidden_size,
    layers: c.num_hidden_layers,
    heads: c.num_attention_heads,
    kvHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    intermediate: c.intermediate_size,
    vocab: c.vocab_size,
    eps: c.rms_norm_eps,
    ropeTheta: c.rope_theta ?? 10000,
  };
  const src = bytesSource(safetensors, 'model.safetensors');
  const header = await readSafetensorsHeader(src);
  const tensors = new Map<string, { shape: number[]; data: F32 }>();
  for (const [name, info] of header.tensors) tensors.set(name, { shape: info.shape, data: Float32Array.from(await readTensor(src, info)) });
  return { shape, tensors };
}

/** The weights of a model folder served over HTTP (the dev server's /models/<name>/). */
export async function fetchWeights(baseUrl: string): Promise<PeerWeights> {
  const [config, st] = await Promise.all([
    fetch(new URL('config.json', baseUrl)).then((r) => r.text()),
    fetch(new URL('model.safetensors', baseUrl)).then((r) => r.arrayBuffer()),
  ]);
  return parseWeights(config, new Uint8Array(st));
}

export function tensor(w: PeerWeights, name: string): { shape: number[]; data: F32 } {
  const t = w.tensors.get(name);
  if (!t) throw new Error(`stories260k has no tensor ${name}`);
  return t;
}

/**
 * cos and sin, each [N, headDim] with the frequencies repeated over both halves (transformers'
 * cat((freqs, freqs))), so rope(x) = x * cos + rotateHalf(x) * sin, rotateHalf(x) = [-x2, x1].
 */
export function ropeTables(s: LlamaShape, N: number): { cos: F32; sin: F32 } {
  const hd = s.headDim;
  const half = hd / 2;
  const cos = new Float32Array(N * hd);
  const sin = new Float32Array(N * hd);
  for (let p = 0; p < N; p++) {
    for (let j = 0; j < half; j++) {
      const a = p * (1 / s.ropeTheta ** ((2 * j) / hd));
      cos[p * hd + j] = cos[p * hd + half + j] = Math.cos(a);
      sin[p * hd + j] = sin[p * hd + half + j] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/** Additive causal mask [N, N]: 0 where key <= query, a large negative number above the diagonal. */
export function causalMask(N: number): F32 {
  const out = new Float32Array(N * N);
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) out[i * N + j] = -1e9;
  return out;
}
