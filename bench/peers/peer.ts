/**
 * What every peer of the side-by-side bench (issue 21) implements: the lab's proto-token step
 * written with another library's public API. The step is the lab's: input Z = [e, m x (N-1)]
 * (Eq. 1, no token embeddings), forward through stories260k, cross-entropy summed over the N
 * positions (position i scored against target i), gradients to e and m, one AdamW update of
 * both with the lab's default settings (PAPER_SETTINGS: lr 0.01, betas 0.9 / 0.9, eps 1e-8,
 * weight decay 0.01). Weights and the RoPE table come from bench/peers/weights.ts, so every peer
 * starts from the same f32 numbers.
 */
import type { F32, PeerWeights } from './weights.ts';

export interface AdamWSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface PeerProblem {
  /** N target token ids. */
  targets: number[];
  /** Starting e and m, hidden floats each. */
  e: F32;
  m: F32;
  adamw: AdamWSettings;
}

export interface LossAndGrads {
  loss: number;
  gradE: Float32Array;
  gradM: Float32Array;
}

export interface PeerStep {
  /** `count` optimisation steps queued back to back, resolved once the device has finished them. */
  steps(count: number): Promise<void>;
  /** Loss and gradients at the current e and m (no update): the golden check. */
  lossAndGrads(): Promise<LossAndGrads>;
  /** Kernel dispatches (or backend kernel calls) of one step, where the library can count them; null otherwise. */
  dispatchesPerStep(): Promise<number | null>;
  dispose(): void;
}

export interface Peer {
  /** 'tfjs-webgpu', 'tfjs-wasm', 'jax-webgpu', ... */
  name: string;
  /** Start the library's backend (adapter, wasm module). Safe to call again. */
  init(): Promise<void>;
  /** One line on how the backend runs: adapter, SIMD / threads, jit. */
  describe(): string;
  create(weights: PeerWeights, problem: PeerProblem): Promise<PeerStep>;
}
