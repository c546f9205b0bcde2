/**
 * f32 matmul throughput at the layer shapes of the big models (Pythia-160M's fused qkv and output
 * layer, Llama-3.2-1B's MLP up projection) at 128 tokens, with the weight split into row chunks
 * as the model loader splits it: the matmuls a big model's step actually runs, which square sizes
 * (matmul.ts) do not show. The shapes are read from src/model/shapes.ts's configs, never typed
 * twice.
 */
import type { Gpu } from '../../src/gpu/gpu.ts';
import { Program } from '../../src/gpu/program.ts';
import type { Tensor } from '../../src/gpu/tensor.ts';
import { parseConfig } from '../../src/model/config.ts';
import { rowsPerChunk } from '../../src/model/linear.ts';
import { matmul, matmulPath, type MatmulArgs } from '../../src/ops/matmul.ts';
import { Rng } from '../../src/util/rng.ts';
import { LLAMA_32_1B_CONFIG, PYTHIA_160M_CONFIG } from '../../src/model/shapes.ts';
import { gflops, mean, round, timeProgram, type RepPolicy } from './timing.ts';

export interface MatmulShape {
  /** Which layer of which model this is. */
  name: string;
  /** Rows (tokens), inner dimension, output columns: [M, K] times [K, N]. */
  M: number;
  K: number;
  N: number;
}

/** Tokens (rows) of the model-shape matmuls. */
export const MODEL_MATMUL_TOKENS = 128;

/** x·Wᵀ for a layer with K inputs and N outputs, at MODEL_MATMUL_TOKENS rows, named after the model and layer. */
function layerShape(model: string, layer: string, K: number, N: number): MatmulShape {
  return { name: `${model} ${layer} (N x ${K} · ${K} x ${N})`, M: MODEL_MATMUL_TOKENS, K, N };
}

const PYTHIA = parseConfig(PYTHIA_160M_CONFIG);
const LLAMA = parseConfig(LLAMA_32_1B_CONFIG);

/**
 * The layer shapes of the big models (src/model/shapes.ts's configs, read by the engine's
 * parseConfig) at N = 128 tokens, x·Wᵀ (the forward of each linear layer): Pythia's fused qkv
 * ((heads + 2 kv heads) x head size outputs, as transformer.ts lays it out) and output layer
 * (vocabulary), Llama's MLP up projection (intermediate size).
 */
export const MODEL_MATMUL_SHAPES: MatmulShape[] = [
  layerShape('Pythia-160M', 'qkv', PYTHIA.hidden, (PYTHIA.heads + 2 * PYTHIA.kvHeads) * PYTHIA.headDim),
  layerShape('Pythia-160M', 'lm_head', PYTHIA.hidden, PYTHIA.vocabSize),
  layerShape('Llama-3.2-1B', 'up', LLAMA.hidden, LLAMA.intermediate),
];

export interface MatmulShapeResult extends MatmulShape {
  /** The weight split by rows the way the model loader splits it (binding-size limit): one dispatch per chunk. */
  chunks: number;
  kernel: string;
  reps: number;
  msPerRun: number;
  gflops: number;
}

/**
 * C = A·Bᵀ at one model shape, B split into row chunks exactly as the loader splits a weight
 * (rowsPerChunk), all chunks in one submission: 1 warm-up, then reps per the policy; mean.
 */
export async function benchMatmulShape(gpu: Gpu, shape: MatmulShape, policy: RepPolicy): Promise<MatmulShapeResult> {
  const { M, K, N } = shape;
  const rng = new Rng(M + K + N);
  const a = gpu.createTensor([M, K], 'f32', 'bench.a');
  gpu.write(a, rng.normalArray(M * K));
  const c = gpu.createTensor([M, N], 'f32', 'bench.c');
  const per = rowsPerChunk('f32', K, gpu.limits.maxStorageBindingBytes);
  const chunks: Tensor[] = [];
  const p = new Program(gpu, `bench.matmul.${M}x${K}x${N}`);
  // The kernel label is what matmul() chose for each chunk's args (the same args it was given).
  const paths = new Set<string>();
  for (let r = 0; r < N; r += per) {
    const rows = Math.min(per, N - r);
    const b = gpu.createTensor([rows, K], 'f32', `bench.b${chunks.length}`);
    gpu.write(b, rng.normalArray(rows * K));
    chunks.push(b);
    const args: MatmulArgs = { a, b, c, M, N: rows, K, transposeB: true, ldc: N, cOffset: r };
    matmul(p, `matmul[${r}]`, args);
    paths.add(matmulPath(gpu, args));
  }
  const times = await timeProgram(p, 1, policy);
  p.destroy();
  for (const t of [a, c, ...chunks]) gpu.destroyTensor(t);
  const ms = mean(times);
  return { ...shape, chunks: chunks.length, kernel: [...paths].join('+'), reps: times.length, msPerRun: round(ms), gflops: gflops(2 * M * K * N, ms) };
}
