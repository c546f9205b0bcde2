import type { Gpu } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelSpec } from './config.ts';
import type { Linear } from './linear.ts';
import type { LayerWeights, NormWeights } from './weights.ts';
import { linearForward, linearBackward } from './linear.ts';
import { normForward, normBackward, type NormStats } from './norms.ts';
import { add } from '../ops/elementwise.ts';
import { swigluForward, swigluBackward, geluForward, geluBackward, type GateActivation } from '../ops/activations.ts';
import { swigluFusable, swigluUp, swigluDownBackward } from '../ops/swiglu-matmul.ts';

/**
 * The parts of a transformer layer after attention that the training session (transformer.ts)
 * and the KV-cached decoder (kv-decode.ts) share, so each family's rule is written once.
 * R rows, d = hidden, I = intermediate; upW = 2·I for a gated MLP (gate | up fused), else I.
 */

/** Columns of the MLP's input projection: gate | up for a gated MLP (spec.gatedMlp), else up. */
export function mlpUpWidth(spec: ModelSpec): number {
  return spec.gatedMlp ? 2 * spec.intermediate : spec.intermediate;
}

/**
 * SwiGLU runs fused into the MLP matmuls (swiglu-matmul.ts) where those kernels run and the
 * weights are one chunk each; GeGLU and ungated MLPs run the matmul and the activation apart.
 */
export function fusedSwiglu(gpu: Gpu, spec: ModelSpec, w0: LayerWeights | undefined): boolean {
  return spec.gatedMlp && spec.activation === 'silu' && !!w0 && w0.up.chunks.length === 1 && w0.down.chunks.length === 1 && swigluFusable(gpu, spec.intermediate, spec.hidden);
}

/** The parsers (config.ts, config-gemma3.ts) pair a gated MLP with SiLU or the tanh GELU only. */
function gateActivation(spec: ModelSpec): GateActivation {
  if (spec.activation === 'gelu') throw new Error(`${spec.family}: the config parser paired a gated MLP with the exact GELU, which no family uses`);
  return spec.activation;
}

/** h2 [R, d] → u [R, upW] → a [R, I] = act(gate)·up (gated) or act(up). */
export function mlpUpForward(p: Program, L: string, spec: ModelSpec, w: LayerWeights, h2: Tensor, u: Tensor, a: Tensor, R: number, fused: boolean): void {
  const I = spec.intermediate;
  if (fused) {
    swigluUp(p, `${L}.up+swiglu`, { x: h2, w: w.up.chunks[0], ld: w.up.chunks[0].ld, bias: w.up.bias ?? undefined, gu: u, h: a, M: R, I, K: spec.hidden });
    return;
  }
  linearForward(p, `${L}.up`, w.up, h2, u, R);
  if (spec.gatedMlp) swigluForward(p, `${L}.gated`, { gu: u, h: a, rows: R, inter: I, act: gateActivation(spec) });
  else geluForward(p, `${L}.gelu`, { x: u, y: a, n: R * I, tanh: spec.activation === 'gelu_tanh' });
}

/** d(MLP output) [R, d] → du [R, upW] (da [R, I] scratch): down, then the activation, backward. */
export function mlpDownBackward(p: Program, L: string, spec: ModelSpec, w: LayerWeights, dOut: Tensor, u: Tensor, da: Tensor, du: Tensor, R: number, fused: boolean): void {
  const I = spec.intermediate;
  if (fused) {
    swigluDownBackward(p, `${L}.down.bwd+swiglu`, { dy: dOut, wDown: w.down.chunks[0], ld: w.down.chunks[0].ld, gu: u, dgu: du, M: R, I, K: spec.hidden });
    return;
  }
  linearBackward(p, `${L}.down.bwd`, w.down, dOut, da, R, false);
  if (spec.gatedMlp) swigluBackward(p, `${L}.gated.bwd`, { gu: u, dh: da, dgu: du, rows: R, inter: I, act: gateActivation(spec) });
  else geluBackward(p, `${L}.gelu.bwd`, { x: u, dy: da, dx: du, n: R * I, tanh: spec.activation === 'gelu_tanh' });
}

/**
 * A sandwich norm on a branch's output before it joins the residual (Gemma 3): the projection's
 * output `pre` [R, d] and the norm's statistics are kept for backward; `out` [R, d] is scratch.
 */
export interface PostNorm {
  w: NormWeights;
  pre: Tensor;
  stats: NormStats;
  out: Tensor;
}

/** The post-norm of a branch when the layer has one (weights and buffers both present). */
export function postNorm(w: NormWeights | null, pre: Tensor | null, stats: NormStats | null, out: Tensor): PostNorm | null {
  return w && pre && stats ? { w, pre, stats, out } : null;
}

/**
 * dst [R, d] = res + lin(input), or with a post-norm res + norm(lin(input)). res may be dst (a
 * second branch into the same residual: the parallel residual's MLP).
 */
export function addBranch(p: Program, label: string, spec: ModelSpec, lin: Linear, input: Tensor, res: Tensor, dst: Tensor, R: number, post: PostNorm | null): void {
  const bytes = R * spec.hidden * 4;
  if (post) {
    if (res === dst) throw new Error(`${label}: a post-normed branch needs its residual in another buffer`);
    linearForward(p, label, lin, input, post.pre, R);
    normForward(p, `${label}.post_norm`, spec, post.w, post.pre, post.out, post.stats, R);
    add(p, `${label}.residual`, { a: res, b: post.out, out: dst, n: R * spec.hidden });
    return;
  }
  if (res !== dst) p.copy(`${label}.residual`, res, dst, bytes);
  linearForward(p, label, lin, input, dst, R, { accumulate: true });
}

/**
 * The gradient reaching a branch's projection output from the residual's dDst: dDst itself, or
 * through the post-norm's backward into `scratch` [R, d].
 */
export function postNormBackward(p: Program, label: string, spec: ModelSpec, post: PostNorm | null, dDst: Tensor, scratch: Tensor, R: number): Tensor {
  if (!post) return dDst;
  normBackward(p, `${label}.post_norm.bwd`, spec, post.w, post.pre, post.stats, dDst, scratch, R, false);
  return scratch;
}
