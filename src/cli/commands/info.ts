import { formatBytes } from '../../util/bytes.ts';
import type { LoadedCliModel } from '../model-dir.ts';

export function infoReport({ gpu, model }: LoadedCliModel): Record<string, unknown> {
  const s = model.spec;
  return {
    model: model.id,
    family: s.family,
    architecture: s.arch,
    parameters: model.parameterCount,
    vocab: s.vocabSize,
    hidden: s.hidden,
    layers: s.layers,
    heads: s.heads,
    kv_heads: s.kvHeads,
    head_dim: s.headDim,
    rotary_dim: s.rotaryDim,
    intermediate: s.intermediate,
    max_positions: s.maxPositions,
    norm: s.norm,
    activation: s.activation,
    parallel_residual: s.parallelResidual,
    tied_embeddings: s.tiedEmbeddings,
    rope_scaling: s.ropeScaling,
    fingerprint: model.fingerprint,
    gpu_memory: gpu.bytesAllocated,
    adapter: { ...gpu.info, f16: gpu.features.f16, timestamps: gpu.features.timestamps, max_binding: gpu.limits.maxStorageBindingBytes },
  };
}

export function printInfo(r: Record<string, unknown>): string {
  const a = r.adapter as Record<string, unknown>;
  return [
    `model         ${r.model}`,
    `architecture  ${r.architecture}, ${Number(r.parameters).toLocaleString('en')} parameters`,
    `shape         hidden ${r.hidden}, ${r.layers} layers, ${r.heads} heads (${r.kv_heads} kv) x ${r.head_dim}, rotary ${r.rotary_dim}, mlp ${r.intermediate}`,
    `vocabulary    ${r.vocab}, up to ${r.max_positions} positions`,
    `blocks        ${r.norm}, ${r.activation}, ${r.parallel_residual ? 'parallel' : 'sequential'} residual, ${r.tied_embeddings ? 'tied' : 'untied'} output`,
    `gpu memory    ${formatBytes(Number(r.gpu_memory))}`,
    `adapter       ${a.vendor} ${a.architecture} ${a.description || a.device} (${a.platform}${a.isFallbackAdapter ? ', software fallback' : ''})`,
  ].join('\n');
}
