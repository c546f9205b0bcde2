import { Program } from '../gpu/program.ts';
import type { Model } from '../model/model.ts';
import { TransformerSession } from '../model/transformer.ts';
import { planLayout, type FirstTarget, type LayoutName } from '../shared/layouts.ts';
import type { ProtoVectors } from './trainer.ts';

/**
 * The paper's one-step generation: one forward pass of the layout built from (e, m), and the
 * argmax at each scored position, in text order.
 */
export async function decodeOnePass(model: Model, v: ProtoVectors, layout: LayoutName, firstTarget: FirstTarget, N: number): Promise<number[]> {
  const { gpu, spec } = model;
  const d = spec.hidden;
  if (v.e.length !== d || v.m.length !== d) throw new Error(`These proto-tokens have width ${v.e.length}, but this model's embeddings have width ${d}.`);
  const plan = planLayout(layout, N, firstTarget);
  const L = plan.length;
  const inputs = new Float32Array(L * d);
  for (let i = 0; i < L; i++) inputs.set(plan.slots[i] === 0 ? v.e : v.m, i * d);
  const s = new TransformerSession(model, { batch: 1, seqLen: L, withGrad: false });
  try {
    gpu.write(s.inputs, inputs);
    const p = new Program(gpu, 'decode');
    s.recordForward(p);
    p.run();
    const argmax = await gpu.readU32(s.argmax);
    p.destroy();
    const out = new Array<number>(N);
    for (let i = 0; i < L; i++) if (plan.targetIndex[i] >= 0) out[plan.targetIndex[i]] = argmax[i];
    return out;
  } finally {
    s.destroy();
  }
}
