/**
 * The proto-token step in jax-js (@jax-js/jax), written the way its README teaches: a pure loss
 * function of the trainable pytree {e, m}, valueAndGrad, an AdamW update in jax.numpy, and the
 * whole step (forward, backward, update, bias correction from the step count) under one jit so
 * its compiler can fuse the elementwise work. Attention is nn.dotProductAttention with isCausal
 * and grouped kv heads. jax-js arrays are reference-counted: every use but the last takes `.ref`.
 * Runs on the 'webgpu' device, or on 'wasm' (multi-threaded when SharedArrayBuffer is there).
 */
import { defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad, type OwnedFunction } from '@jax-js/jax';
import type { LossAndGrads, Peer, PeerProblem, PeerStep } from './peer.ts';
import { ropeTables, tensor, type PeerWeights } from './weights.ts';

type Device = 'webgpu' | 'wasm';
type Arr = np.Array;
type Params = { e: Arr; m: Arr };
type Layer = { n1: Arr; n2: Arr; q: Arr; k: Arr; v: Arr; o: Arr; gate: Arr; up: Arr; down: Arr };
type Consts = { layers: Layer[]; norm: Arr; embedT: Arr; cos: Arr; sin: Arr; onehot: Arr };
type Opt = { mE: Arr; mM: Arr; vE: Arr; vM: Arr; t: Arr };

/** W [out, in] as stored, uploaded transposed to [in, out] so x @ W^T is a plain matmul. */
function transposed(w: PeerWeights, name: string): Arr {
  const t = tensor(w, name);
  return np.array(t.data).reshape(t.shape).transpose();
}

export function jaxPeer(device: Device): Peer {
  let started = false;
  return {
    name: `jax-${device}`,
    async init() {
      if (!started) {
        const got = await init(device);
        if (!got.includes(device)) throw new Error(`jax-js could not start its ${device} device (init gave ${JSON.stringify(got)})`);
        started = true;
      }
      // Arrays and jit computations go to the default device: set it before every use.
      defaultDevice(device);
    },
    describe: () =>
      `@jax-js/jax on ${device}, whole step under jit` +
      (device === 'wasm' ? `; SharedArrayBuffer ${typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? 'available (threads)' : 'unavailable (one thread)'}` : ''),
    create: (weights, problem) => createJaxStep(device, weights, problem),
  };
}

async function createJaxStep(device: Device, w: PeerWeights, pb: PeerProblem): Promise<PeerStep> {
  defaultDevice(device);
  const s = w.shape;
  const N = pb.targets.length;
  const { hidden: d, heads: H, kvHeads: Hkv, headDim: hd } = s;
  const half = hd / 2;
  const { cos, sin } = ropeTables(s, N);
  const onehot = new Float32Array(N * s.vocab);
  pb.targets.forEach((t, i) => (onehot[i * s.vocab + t] = 1));
  const embed = tensor(w, 'model.embed_tokens.weight');
  const consts: Consts = {
    layers: Array.from({ length: s.layers }, (_, l) => {
      const p = `model.layers.${l}.`;
      return {
        n1: np.array(tensor(w, `${p}input_layernorm.weight`).data),
        n2: np.array(tensor(w, `${p}post_attention_layernorm.weight`).data),
        q: transposed(w, `${p}self_attn.q_proj.weight`),
        k: transposed(w, `${p}self_attn.k_proj.weight`),
        v: transposed(w, `${p}self_attn.v_proj.weight`),
        o: transposed(w, `${p}self_attn.o_proj.weight`),
        gate: transposed(w, `${p}mlp.gate_proj.weight`),
        up: transposed(w, `${p}mlp.up_proj.weight`),
        down: transposed(w, `${p}mlp.down_proj.weight`),
      };
    }),
    norm: np.array(tensor(w, 'model.norm.weight').data),
    embedT: np.array(embed.data).reshape(embed.shape).transpose(),
    cos: np.array(cos).reshape([N, 1, hd]),
    sin: np.array(sin).reshape([N, 1, hd]),
    onehot: np.array(onehot).reshape([N, s.vocab]),
  };

  const rms = (x: Arr, g: Arr): Arr => x.ref.mul(np.reciprocal(np.sqrt(np.square(x).mean(-1, { keepdims: true }).add(s.eps)))).mul(g);
  const rope = (x: Arr, c: Consts): Arr => {
    const rot = np.concatenate([np.negative(x.ref.slice([], [], [half, hd])), x.ref.slice([], [], [0, half])], 2);
    return x.mul(c.cos.ref).add(rot.mul(c.sin.ref));
  };
  const loss = (p: Params, c: Consts): Arr => {
    let x = np.concatenate([p.e.reshape([1, d]), np.broadcastTo(p.m.reshape([1, d]), [N - 1, d])], 0);
    for (const ly of c.layers) {
      const h = rms(x.ref, ly.n1);
      const q = rope(np.matmul(h.ref, ly.q).reshape([N, H, hd]), c);
      const k = rope(np.matmul(h.ref, ly.k).reshape([N, Hkv, hd]), c);
      const v = np.matmul(h, ly.v).reshape([N, Hkv, hd]);
      const att = nn.dotProductAttention(q, k, v, { isCausal: true }).reshape([N, H * hd]);
      x = x.add(np.matmul(att, ly.o));
      const h2 = rms(x.ref, ly.n2);
      const gate = np.matmul(h2.ref, ly.gate);
      x = x.add(np.matmul(nn.silu(gate).mul(np.matmul(h2, ly.up)), ly.down));
    }
    const logits = np.matmul(rms(x, c.norm), c.embedT);
    c.cos.dispose();
    c.sin.dispose();
    return nn.logSoftmax(logits).mul(c.onehot).sum().neg();
  };
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = pb.adamw;
  const adamw = (p: Arr, g: Arr, m: Arr, v: Arr, bc1: Arr, bc2: Arr): [Arr, Arr, Arr] => {
    const m2 = m.mul(b1).add(g.ref.mul(1 - b1));
    const v2 = v.mul(b2).add(np.square(g).mul(1 - b2));
    const upd = m2.ref.div(bc1).div(np.sqrt(v2.ref.div(bc2)).add(eps)).mul(lr);
    return [p.mul(1 - lr * wd).sub(upd), m2, v2];
  };
  const lossAndGrad = valueAndGrad(loss);
  const step: OwnedFunction<(p: Params, o: Opt, c: Consts) => [Params, Opt]> = jit((p: Params, o: Opt, c: Consts): [Params, Opt] => {
    const [, g] = lossAndGrad(tree.ref(p), c);
    const t = o.t.add(1);
    const bc1 = np.subtract(1, np.exp(t.ref.mul(Math.log(b1))));
    const bc2 = np.subtract(1, np.exp(t.ref.mul(Math.log(b2))));
    const [e, mE, vE] = adamw(p.e, g.e, o.mE, o.vE, bc1.ref, bc2.ref);
    const [m, mM, vM] = adamw(p.m, g.m, o.mM, o.vM, bc1, bc2);
    return [{ e, m }, { mE, mM, vE, vM, t }];
  });
  const gradJit = jit((p: Params, c: Consts) => lossAndGrad(p, c));

  let params: Params = { e: np.array(pb.e), m: np.array(pb.m) };
  let opt: Opt = { mE: np.zeros([d]), mM: np.zeros([d]), vE: np.zeros([d]), vM: np.zeros([d]), t: np.array([0]).reshape([]) };
  return {
    async steps(count) {
      for (let i = 0; i < count; i++) [params, opt] = step(params, opt, tree.ref(consts));
      await params.e.ref.data();
    },
    async lossAndGrads(): Promise<LossAndGrads> {
      const [value, g] = gradJit(tree.ref(params), tree.ref(consts));
      const [loss, gradE, gradM] = await Promise.all([value.data(), g.e.data(), g.m.data()]);
      return { loss: loss[0], gradE: Float32Array.from(gradE), gradM: Float32Array.from(gradM) };
    },
    dispatchesPerStep: async () => null,
    dispose() {
      tree.dispose(params);
      tree.dispose(opt);
      tree.dispose(consts);
      step.dispose();
      gradJit.dispose();
    },
  };
}
