import { kernelSignature } from '../gpu/kernel-signature.ts';

/**
 * Every kernel's Params fields and storage bindings, as its shaders/*.wgsl file declares them
 * (test/gpu/kernel-signatures.test.ts holds each one to its file). Where entry points of one file
 * bind different names at one number, each name is listed.
 */

export const ACTIVATIONS = kernelSignature('activations', { n: 'u32', inter: 'u32' }, { x: 1, y: 2, dy: 2, dx: 3 });

export const ADAMW = kernelSignature(
  'adamw',
  { n: 'u32', dim: 'u32', has_mask: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32', weight_decay: 'f32' },
  { params: 1, grads: 2, m: 3, v: 4, step: 5, row_mask: 6, step_counter: 7 },
);

export const ATTENTION = kernelSignature(
  'attention',
  { B: 'u32', N: 'u32', H: 'u32', Hkv: 'u32', ldq: 'u32', q_off: 'u32', k_off: 'u32', v_off: 'u32', group: 'u32', scale: 'f32', window: 'u32' },
  { qkv: 1, out: 2, lse: 3, dout: 4, delta: 5, dqkv: 6 },
);

export const BEST = kernelSignature(
  'best',
  { B: 'u32', K: 'u32', dim: 'u32' },
  { item_correct: 1, item_loss: 2, step: 3, best_correct: 4, best_loss: 5, best_step: 6, improved: 7, params: 8, rows: 9, best_params: 10 },
);

export const CROSS_ENTROPY = kernelSignature(
  'cross_entropy',
  { rows: 'u32', vc: 'u32', v0: 'u32', ldl: 'u32', B: 'u32', N: 'u32' },
  { logits: 1, logits4: 1, targets: 2, state: 3, argmax: 4, loss: 5, item_loss: 6, item_correct: 7 },
);

export const ELEMENTWISE = kernelSignature(
  'elementwise',
  { n: 'u32', s: 'f32' },
  { a: 1, b: 2, sum_out: 3, acc_dst: 1, acc_src: 2, scale_src: 1, scale_dst: 2 },
);

export const EMBEDDING = kernelSignature(
  'embedding',
  { rows: 'u32', dim: 'u32', row_start: 'u32', chunk_rows: 'u32', ld: 'u32', scale: 'f32' },
  { ids: 1, W: 2, W4: 2, out: 3, dout: 4, dtable: 5, W_scales: 6 },
);

export const KV_CACHE = kernelSignature(
  'kv_cache',
  {
    B: 'u32', n: 'u32', maxLen: 'u32', H: 'u32',
    Hkv: 'u32', ldq: 'u32', q_off: 'u32', k_off: 'u32',
    v_off: 'u32', group: 'u32', count: 'u32', scale: 'f32',
    window: 'u32',
  },
  { state: 1, qkv: 2, kc: 3, vc: 4, out: 5, lse: 6, dout: 7, delta: 8, dqkv: 9, dkc: 10, dvc: 11, next: 12, tokens: 13 },
);

export const LAYOUT = kernelSignature(
  'layout',
  { rows: 'u32', dim: 'u32', P: 'u32' },
  { index: 1, params: 2, out: 3, dout: 4, offsets: 5, rows_of: 6, dparams: 7 },
);

/** matmul.wgsl and matmul_quad.wgsl share this struct (swiglu-matmul.ts packs it for the fused kernels). */
const MATMUL_PARAMS = {
  M: 'u32', N: 'u32', K: 'u32',
  lda: 'u32', ldb: 'u32', ldc: 'u32',
  a_offset: 'u32', b_offset: 'u32', c_offset: 'u32',
  transpose_b: 'u32', accumulate: 'u32', has_bias: 'u32', bias_offset: 'u32',
} as const;

// W, W4 and W_scales are the weight reader's (shaders/weights/*.wgsl, appended to the kernels that read weights).
export const MATMUL = kernelSignature('matmul', MATMUL_PARAMS, { A: 1, A4: 1, W: 2, W4: 2, bias: 3, C: 4, W_scales: 6 });

export const MATMUL_QUAD = kernelSignature('matmul_quad', MATMUL_PARAMS, { A4: 1, W: 2, W4: 2, bias: 3, C: 4, C4: 4, H4: 5, GU4: 5, W_scales: 6 });

export const NORM = kernelSignature(
  'norm',
  { rows: 'u32', dim: 'u32', eps: 'f32', accumulate: 'u32', ld: 'u32', col_offset: 'u32', heads: 'u32' },
  { x: 1, w: 2, y: 3, rstd_out: 4, b: 5, mean_out: 6, rstd_in: 3, dy: 4, dx: 5, mean_in: 6 },
);

export const ROPE = kernelSignature(
  'rope',
  { rows: 'u32', seq_len: 'u32', pos_offset: 'u32', ld: 'u32', col_offset: 'u32', n_heads: 'u32', head_dim: 'u32', rot_dim: 'u32' },
  { x: 1, table: 2 },
);

/** weight_grad.wgsl: dW = xᵀ·dy (weight_grad, weight_grad_vec4 with A4, B4) and db = Σ_rows dy (column_sum: B and C only). */
export const WEIGHT_GRAD = kernelSignature(
  'weight_grad',
  { M: 'u32', N: 'u32', K: 'u32', lda: 'u32', ldb: 'u32', ldc: 'u32', a_off: 'u32', b_off: 'u32', c_off: 'u32', accumulate: 'u32' },
  { A: 1, A4: 1, B: 2, B4: 2, C: 3 },
);

export const KERNEL_SIGNATURES = [
  ACTIVATIONS, ADAMW, ATTENTION, BEST, CROSS_ENTROPY, ELEMENTWISE, EMBEDDING, KV_CACHE, LAYOUT, MATMUL, MATMUL_QUAD, NORM, ROPE, WEIGHT_GRAD,
] as const;
