/**
 * The proto-token step in TensorFlow.js (@tensorflow/tfjs-core with its gradients), the way its
 * guide teaches: e and m as tf.variable, the loss in tf ops under tf.variableGrads, an AdamW
 * update written in tf ops (tfjs has Adam but no decoupled weight decay) with variable.assign,
 * every step inside tf.tidy. Weights are uploaded once; matMul's transposeB reads them as stored.
 * Grouped-query attention folds the query heads that share a kv head into the row dimension,
 * so one batched matMul per layer serves them all.
 * The backend ('webgpu' or 'wasm') must be registered by the caller's imports
 * (@tensorflow/tfjs-backend-webgpu, @tensorflow/tfjs-backend-wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// tfjs-core alone leaves out the chained methods (x.mul(y)) that @tensorflow/tfjs adds.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import type { LossAndGrads, Peer, PeerProblem, PeerStep } from './peer.ts';
import { causalMask, ropeTables, tensor, type PeerWeights } from './weights.ts';

type Backend = 'webgpu' | 'wasm';
let created = 0;

export function tfjsPeer(backend: Backend, beforeInit: () => void | Promise<void> = () => {}, notes: () => string = () => ''): Peer {
  let started = false;
  return {
    name: `tfjs-${backend}`,
    async init() {
      if (!started) {
        await beforeInit();
        started = true;
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start its ${backend} backend`);
      await tf.ready();
    },
    describe: () => `@tensorflow/tfjs-core ${tf.version_core} on ${backend}${notes() ? `; ${notes()}` : ''}`,
    create: async (weights, problem) => {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
      return createTfjsStep(weights, problem);
    },
  };
}

function createTfjsStep(w: PeerWeights, pb: PeerProblem): PeerStep {
  const backend = tf.getBackend();
  const s = w.shape;
  const N = pb.targets.length;
  const { hidden: d, heads: H, kvHeads: Hkv, headDim: hd } = s;
  const G = H / Hkv;
  const half = hd / 2;
  const scale = 1 / Math.sqrt(hd);
  const id = created++;
  const t = (name: string): tf.Tensor => {
    const x = tensor(w, name);
    return tf.tensor(x.data, x.shape);
  };
  const layers = Array.from({ length: s.layers }, (_, l) => {
    const p = `model.layers.${l}.`;
    return {
      n1: t(`${p}input_layernorm.weight`),
      n2: t(`${p}post_attention_layernorm.weight`),
      q: t(`${p}self_attn.q_proj.weight`) as tf.Tensor2D,
      k: t(`${p}self_attn.k_proj.weight`) as tf.Tensor2D,
      v: t(`${p}self_attn.v_proj.weight`) as tf.Tensor2D,
      o: t(`${p}self_attn.o_proj.weight`) as tf.Tensor2D,
      gate: t(`${p}mlp.gate_proj.weight`) as tf.Tensor2D,
      up: t(`${p}mlp.up_proj.weight`) as tf.Tensor2D,
      down: t(`${p}mlp.down_proj.weight`) as tf.Tensor2D,
    };
  });
  const norm = t('model.norm.weight');
  const embed = t('model.embed_tokens.weight') as tf.Tensor2D;
  const rt = ropeTables(s, N);
  const cos = tf.tensor3d(rt.cos, [N, 1, hd]);
  const sin = tf.tensor3d(rt.sin, [N, 1, hd]);
  // The causal mask repeated for the G query heads stacked along the rows of each kv head's scores.
  const mask = tf.tidy(() => tf.tile(tf.tensor2d(causalMask(N), [N, N]), [G, 1]));
  const onehot = tf.oneHot(tf.tensor1d(pb.targets, 'int32'), s.vocab);
  const keep = [...layers.flatMap((l) => Object.values(l)), norm, embed, cos, sin, mask, onehot];

  const e = tf.variable(tf.tensor1d(pb.e), true, `peer${id}_e`);
  const m = tf.variable(tf.tensor1d(pb.m), true, `peer${id}_m`);
  const moments = [e, m].map((v) => ({ p: v, m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false) }));
  let stepCount = 0;

  const rms = (x: tf.Tensor, g: tf.Tensor): tf.Tensor => x.mul(tf.rsqrt(x.square().mean(-1, true).add(s.eps))).mul(g);
  const rope = (x: tf.Tensor, heads: number): tf.Tensor => {
    const x1 = tf.slice(x, [0, 0, 0], [N, heads, half]);
    const x2 = tf.slice(x, [0, 0, half], [N, heads, half]);
    return x.mul(cos).add(tf.concat([tf.neg(x2), x1], 2).mul(sin));
  };
  const loss = (): tf.Scalar => {
    let x: tf.Tensor = tf.concat([e.reshape([1, d]), tf.broadcastTo(m.reshape([1, d]), [N - 1, d])], 0);
    for (const ly of layers) {
      const h = rms(x, ly.n1) as tf.Tensor2D;
      const q = rope(tf.matMul(h, ly.q, false, true).reshape([N, H, hd]), H);
      const k = rope(tf.matMul(h, ly.k, false, true).reshape([N, Hkv, hd]), Hkv);
      const v = tf.matMul(h, ly.v, false, true).reshape([N, Hkv, hd]);
      // [N, Hkv, G, hd] -> [Hkv, G·N, hd]: query head kv·G + g reads kv head kv (transformers' repeat_kv).
      const qg = q.reshape([N, Hkv, G, hd]).transpose([1, 2, 0, 3]).reshape([Hkv, G * N, hd]) as tf.Tensor3D;
      const scores = tf.matMul(qg, k.transpose([1, 0, 2]) as tf.Tensor3D, false, true).mul(scale).add(mask);
      const att = tf.matMul(tf.softmax(scores) as tf.Tensor3D, v.transpose([1, 0, 2]) as tf.Tensor3D);
      const merged = att.reshape([Hkv, G, N, hd]).transpose([2, 0, 1, 3]).reshape([N, H * hd]) as tf.Tensor2D;
      x = x.add(tf.matMul(merged, ly.o, false, true));
      const h2 = rms(x, ly.n2) as tf.Tensor2D;
      const gate = tf.matMul(h2, ly.gate, false, true);
      const act = gate.mul(tf.sigmoid(gate)).mul(tf.matMul(h2, ly.up, false, true)) as tf.Tensor2D;
      x = x.add(tf.matMul(act, ly.down, false, true));
    }
    const logits = tf.matMul(rms(x, norm) as tf.Tensor2D, embed, false, true);
    return tf.neg(tf.sum(tf.logSoftmax(logits).mul(onehot))) as tf.Scalar;
  };
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = pb.adamw;
  const oneStep = (): void =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, [e, m]);
      stepCount++;
      const bc1 = 1 - b1 ** stepCount;
      const bc2 = 1 - b2 ** stepCount;
      for (const s of moments) {
        const g = grads[s.p.name];
        s.m.assign(s.m.mul(b1).add(g.mul(1 - b1)));
        s.v.assign(s.v.mul(b2).add(g.square().mul(1 - b2)));
        const upd = s.m.div(bc1).div(s.v.div(bc2).sqrt().add(eps)).mul(lr);
        s.p.assign(s.p.mul(1 - lr * wd).sub(upd));
      }
    });
  return {
    async steps(count) {
      for (let i = 0; i < count; i++) oneStep();
      await e.data();
    },
    async lossAndGrads(): Promise<LossAndGrads> {
      const { value, grads } = tf.variableGrads(loss, [e, m]);
      const out = { loss: (await value.data())[0], gradE: (await grads[e.name].data()) as Float32Array, gradM: (await grads[m.name].data()) as Float32Array };
      tf.dispose([value, grads[e.name], grads[m.name]]);
      return out;
    },
    async dispatchesPerStep() {
      // tf.profile lists the kernels one step ran (on webgpu each is one dispatch or a copy).
      const info = await tf.profile(() => oneStep());
      await e.data();
      return info.kernels.length;
    },
    dispose() {
      if (tf.getBackend() !== backend) throw new Error(`dispose the ${backend} step while its backend is set`);
      tf.dispose(keep);
      for (const s of moments) tf.dispose([s.p, s.m, s.v]);
    },
  };
}
