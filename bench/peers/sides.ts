/**
 * The sides of the peers bench, in the browser: the lab's own engine ('ours', the ProtoTrainer
 * step that optimise() runs) and every peer (bench/peers/*-step.ts). Each side can be built
 * warm (weights loaded once per page) or cold (timeFirstStep: from nothing to the first finished
 * step, the way a first visit pays it).
 */
import { setThreadsCount, setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createBrowserGpu } from '../../src/gpu/browser.ts';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { httpSource } from '../../src/model/sources/http.ts';
import { singleText } from '../../src/prototokens/problem.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { jaxPeer } from './jax-step.ts';
import type { LossAndGrads, Peer, PeerProblem } from './peer.ts';
import { tfjsPeer } from './tfjs-step.ts';
import { fetchWeights, type PeerWeights } from './weights.ts';

import { type SideName } from './sides-list.ts';

export { SIDES, type SideName } from './sides-list.ts';

/** A built step of one side at one N. */
export interface Runner {
  steps(count: number): Promise<void>;
  /** Dispatches of one step as the side itself counts them (ours: its recorded program; tfjs: tf.profile's kernels). */
  ownCount(): Promise<number | null>;
  /** Golden check; null where the side has no such hook (ours is checked by test/model/stories260k.test.ts). */
  lossAndGrads(): Promise<LossAndGrads | null>;
  dispose(): void;
}

const MODEL_URL = (): string => new URL('/models/stories260k/', location.origin).href;

const isolated = (): boolean => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

const tfjsWasmNotes = (): string => {
  let threads = '?';
  try {
    threads = String(getThreadsCount());
  } catch {
    /* not initialised yet */
  }
  return `SIMD on (Chromium), ${isolated() ? `threads on (cross-origin isolated, ${threads} threads)` : 'threads off (page not cross-origin isolated)'}`;
};

const PEERS: Record<Exclude<SideName, 'ours'>, Peer> = {
  'tfjs-webgpu': tfjsPeer('webgpu'),
  'tfjs-wasm': tfjsPeer(
    'wasm',
    () => {
      setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
      if (isolated()) setThreadsCount(navigator.hardwareConcurrency || 2);
    },
    tfjsWasmNotes,
  ),
  'jax-webgpu': jaxPeer('webgpu'),
  'jax-wasm': jaxPeer('wasm'),
};

export function describeSide(side: SideName): string {
  return side === 'ours' ? 'the lab engine (ProtoTrainer: layout, forward, backward, AdamW, keep-best)' : PEERS[side].describe();
}

/** Shared per page: the lab's Gpu and model, the peers' weights. */
let gpu: Gpu | null = null;
let model: Model | null = null;
let weights: PeerWeights | null = null;

async function oursRunner(m: Model, targets: number[]): Promise<Runner> {
  const trainer = await ProtoTrainer.create(m, singleText(targets, 0), { ...PAPER_SETTINGS, maxSteps: 100_000 });
  return {
    async steps(count) {
      trainer.submitSteps(count);
      await m.gpu.idle();
    },
    ownCount: async () => trainer.dispatchesPerStep,
    lossAndGrads: async () => null,
    dispose: () => trainer.destroy(),
  };
}

function peerRunner(peer: Peer, built: Awaited<ReturnType<Peer['create']>>): Runner {
  // Each call re-selects the peer's backend / device: tfjs and jax-js keep one global default.
  return {
    async steps(count) {
      await peer.init();
      await built.steps(count);
    },
    async ownCount() {
      await peer.init();
      return built.dispatchesPerStep();
    },
    async lossAndGrads() {
      await peer.init();
      return built.lossAndGrads();
    },
    dispose() {
      void peer.init().then(() => built.dispose());
    },
  };
}

/** A warm runner: the backend and weights are shared with the page's other runners. */
export async function buildSide(side: SideName, problem: PeerProblem): Promise<Runner> {
  if (side === 'ours') {
    gpu ??= await createBrowserGpu();
    model ??= await loadModel(gpu, httpSource(MODEL_URL(), { cache: null }));
    return oursRunner(model, problem.targets);
  }
  const peer = PEERS[side];
  await peer.init();
  weights ??= await fetchWeights(MODEL_URL());
  return peerRunner(peer, await peer.create(weights, problem));
}

export interface FirstStepTiming {
  /** Adapter and device (ours), or the library's backend start (wasm module compile, adapter). */
  initMs: number;
  /** config + safetensors over HTTP; ours also uploads here, the peers upload when building the step. */
  loadMs: number;
  /** Building the step and running the first one to completion (compiles its kernels). */
  firstStepMs: number;
  totalMs: number;
  /**
   * Ours only: building a second trainer of the same length and its first step, with the pipelines
   * compiled: what the lab's first run costs once its warm-up after the model load
   * (prototokens/warm-up.ts) has compiled them while the text was being pasted.
   */
  afterWarmUpMs?: number;
}

/** From nothing to the first finished step; call on a fresh page (nothing shared may be warm). */
export async function timeFirstStep(side: SideName, problem: PeerProblem): Promise<FirstStepTiming> {
  const t0 = performance.now();
  let t1: number;
  let t2: number;
  let runner: Runner;
  let model: Model | undefined;
  if (side === 'ours') {
    const g = await createBrowserGpu();
    t1 = performance.now();
    // As the lab's page loads a model on a first visit: one download into an empty Cache Storage.
    const m = await loadModel(g, httpSource(MODEL_URL()));
    model = m;
    await g.idle();
    t2 = performance.now();
    runner = await oursRunner(m, problem.targets);
  } else {
    const peer = PEERS[side];
    await peer.init();
    t1 = performance.now();
    const w = await fetchWeights(MODEL_URL());
    t2 = performance.now();
    runner = peerRunner(peer, await peer.create(w, problem));
  }
  await runner.steps(1);
  const t3 = performance.now();
  runner.dispose();
  const r = (x: number): number => Math.round(x * 10) / 10;
  const cold = { initMs: r(t1 - t0), loadMs: r(t2 - t1), firstStepMs: r(t3 - t2), totalMs: r(t3 - t0) };
  if (side !== 'ours') return cold;
  const t4 = performance.now();
  const again = await oursRunner(model!, problem.targets);
  await again.steps(1);
  const t5 = performance.now();
  again.dispose();
  return { ...cold, afterWarmUpMs: r(t5 - t4) };
}
