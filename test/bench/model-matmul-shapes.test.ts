/**
 * bench/suite/model-matmuls.ts's model-shape matmuls come from the big models' configs (src/model/shapes.ts),
 * not from sizes typed a second time: the shapes match the published models, and other configs
 * give other shapes.
 */
import { describe, expect, it, vi } from 'vitest';
import { MODEL_MATMUL_SHAPES, MODEL_MATMUL_TOKENS } from '../../bench/suite/model-matmuls.ts';
import { LLAMA_32_1B_CONFIG, PYTHIA_160M_CONFIG } from '../../src/model/shapes.ts';

describe('MODEL_MATMUL_SHAPES', () => {
  it('are the layer shapes of Pythia-160M and Llama-3.2-1B at 128 tokens, under the names results carry', () => {
    expect(MODEL_MATMUL_TOKENS).toBe(128);
    expect(MODEL_MATMUL_SHAPES).toEqual([
      { name: 'Pythia-160M qkv (N x 768 · 768 x 2304)', M: 128, K: 768, N: 2304 },
      { name: 'Pythia-160M lm_head (N x 768 · 768 x 50304)', M: 128, K: 768, N: 50304 },
      { name: 'Llama-3.2-1B up (N x 2048 · 2048 x 8192)', M: 128, K: 2048, N: 8192 },
    ]);
  });

  it('follow the configs: the inner size is the hidden size, the outputs the fused qkv, the vocabulary and the MLP width', () => {
    const [qkv, head, up] = MODEL_MATMUL_SHAPES;
    const p = PYTHIA_160M_CONFIG;
    const headDim = p.hidden_size / p.num_attention_heads;
    expect([qkv.K, qkv.N]).toEqual([p.hidden_size, 3 * p.num_attention_heads * headDim]);
    expect([head.K, head.N]).toEqual([p.hidden_size, p.vocab_size]);
    expect([up.K, up.N]).toEqual([LLAMA_32_1B_CONFIG.hidden_size, LLAMA_32_1B_CONFIG.intermediate_size]);
  });

  it('change with the configs (other configs in src/model/shapes.ts give other shapes)', async () => {
    vi.resetModules();
    vi.doMock('../../src/model/shapes.ts', async (importOriginal) => {
      const real = await importOriginal<typeof import('../../src/model/shapes.ts')>();
      return {
        ...real,
        PYTHIA_160M_CONFIG: { ...real.PYTHIA_160M_CONFIG, hidden_size: 1024, num_attention_heads: 16, vocab_size: 50000 },
        LLAMA_32_1B_CONFIG: { ...real.LLAMA_32_1B_CONFIG, hidden_size: 1536, intermediate_size: 6144, num_attention_heads: 24 },
      };
    });
    try {
      const { MODEL_MATMUL_SHAPES: other } = await import('../../bench/suite/model-matmuls.ts');
      expect(other.map((s) => [s.name, s.M, s.K, s.N])).toEqual([
        ['Pythia-160M qkv (N x 1024 · 1024 x 3072)', 128, 1024, 3072],
        ['Pythia-160M lm_head (N x 1024 · 1024 x 50000)', 128, 1024, 50000],
        ['Llama-3.2-1B up (N x 1536 · 1536 x 6144)', 128, 1536, 6144],
      ]);
    } finally {
      vi.doUnmock('../../src/model/shapes.ts');
      vi.resetModules();
    }
  });
});
