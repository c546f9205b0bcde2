import { formatBytes } from '../../util/bytes.ts';
import type { Gpu } from '../../gpu/gpu.ts';
import type { ModelSpec } from '../../model/config.ts';
import type { WeightFormat } from '../../model/weight-format.ts';
import { memoryPlan } from '../../prototokens/memory-plan.ts';
import type { LoadedCliModel } from '../model-dir.ts';

/**
 * `protolab info`: the model's shape and its GPU memory in a weight format, from the engine's own
 * allocation plans (prototokens/memory-plan.ts): weights, and a proto-token trainer for one text of
 * n tokens. With --model the weights are loaded and `gpu_memory` is what the engine then holds;
 * with --shape nothing is loaded (an 8B model's plan costs no 8B upload).
 */
export function infoReport(gpu: Gpu, m: { id: string; spec: ModelSpec; weightFormat: WeightFormat; fingerprint: string | null }, n: number): Record<string, unknown> {
  const s = m.spec;
  const plan = memoryPlan(s, m.weightFormat, n, gpu.limits.maxStorageBindingBytes);
  return {
    model: m.id,
    family: s.family,
    architecture: s.arch,
    parameters: plan.params,
    params: plan.params,
    weight_format: plan.weight_format,
    weight_bytes: plan.weight_bytes,
    activation_bytes: plan.activation_bytes,
    total_bytes: plan.total_bytes,
    n,
    vocab: s.vocabSize,
    hidden: s.hidden,
    layers: s.layers,
    heads: s.heads,
    kv_heads: s.kvHeads,
    head_dim: s.headDim,
    rotary_dim: s.rotaryDim,
    learned_positions: s.learnedPositions,
    head_norm: s.headNorm,
    sliding_window: s.slidingWindow,
    sliding_layers: s.layerTypes.filter((t) => t === 'sliding').length,
    local_rope_theta: s.localRopeTheta,
    sandwich_norms: s.sandwichNorms,
    gated_mlp: s.gatedMlp,
    embed_scale: s.embedScale,
    intermediate: s.intermediate,
    max_positions: s.maxPositions,
    norm: s.norm,
    activation: s.activation,
    parallel_residual: s.parallelResidual,
    tied_embeddings: s.tiedEmbeddings,
    rope_scaling: s.ropeScaling,
    fingerprint: m.fingerprint,
    loaded: m.fingerprint !== null,
    gpu_memory: gpu.bytesAllocated,
    adapter: { ...gpu.info, f16: gpu.features.f16, timestamps: gpu.features.timestamps, max_binding: gpu.limits.maxStorageBindingBytes },
  };
}

/** The report of a loaded model. */
export function loadedInfo({ gpu, model }: Pick<LoadedCliModel, 'gpu' | 'model'>, n: number): Record<string, unknown> {
  return infoReport(gpu, { id: model.id, spec: model.spec, weightFormat: model.weightFormat, fingerprint: model.fingerprint }, n);
}

export function printInfo(r: Record<string, unknown>): string {
  const a = r.adapter as Record<string, unknown>;
  const b = (k: string) => formatBytes(Number(r[k]));
  return [
    `model         ${r.model}`,
    `architecture  ${r.architecture}${r.family !== r.architecture ? ` (${r.family})` : ''}, ${Number(r.parameters).toLocaleString('en')} parameters`,
    `shape         hidden ${r.hidden}, ${r.layers} layers, ${r.heads} heads (${r.kv_heads} kv) x ${r.head_dim}, ${r.learned_positions ? 'learned positions' : `rotary ${r.rotary_dim}`}, mlp ${r.intermediate}`,
    `vocabulary    ${r.vocab}, up to ${r.max_positions} positions`,
    `blocks        ${r.norm}${r.head_norm ? ' (and per-head on q, k)' : ''}${r.sandwich_norms ? ', sandwich norms' : ''}, ${r.activation}${r.gated_mlp ? ' gated' : ''}, ${r.parallel_residual ? 'parallel' : 'sequential'} residual, ${r.tied_embeddings ? 'tied' : 'untied'} output${r.embed_scale !== 1 ? `, embeddings x ${Number(r.embed_scale).toPrecision(4)}` : ''}`,
    `attention     ${Number(r.sliding_layers) === 0 ? 'every earlier position' : `a window of ${r.sliding_window} on ${r.sliding_layers} of ${r.layers} layers${r.local_rope_theta !== null ? ` (rotary base ${r.local_rope_theta} there)` : ''}`}`,
    `weights       ${r.weight_format}: ${b('weight_bytes')} on the GPU`,
    `one text      ${r.n} tokens: ${b('activation_bytes')} more, ${b('total_bytes')} in all`,
    r.loaded ? `gpu memory    ${b('gpu_memory')} held after loading` : `gpu memory    (planned only: --shape loads nothing)`,
    `adapter       ${a.vendor} ${a.architecture} ${a.description || a.device} (${a.platform}${a.isFallbackAdapter ? ', software fallback' : ''})`,
  ].join('\n');
}
