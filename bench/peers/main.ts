/**
 * The peers bench page: window.protolabPeers, driven by bench/peers/run.ts and e2e/peers.spec.ts.
 * Every side runs in this one page on navigator.gpu's one adapter (or the page's wasm for the
 * wasm backends). Runners live between calls, keyed by side and N, so rounds can alternate.
 */
import { checkGolden, type GoldenProto, type GoldenVerdict } from './golden-check.ts';
import type { PeerProblem } from './peer.ts';
import { buildSide, describeSide, SIDES, timeFirstStep, type FirstStepTiming, type Runner, type SideName } from './sides.ts';
import { pageLog, pageReady } from '../browser/page-log.ts';

export interface PageInfo {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  adapter: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean } | null;
  sides: Record<string, string>;
}

export interface Prepared {
  /** Compute dispatches one step encodes, counted on GPUComputePassEncoder (WebGPU sides); null for wasm. */
  dispatches: number | null;
  /** The side's own count: ours' recorded program, tfjs' profiled kernels; null where there is none. */
  ownCount: number | null;
  /** ms of the first step after building (compiles), then ms per step of 2 warm-up steps. */
  firstMs: number;
  warmMs: number;
}

export interface PeersPage {
  info(): Promise<PageInfo>;
  /** Loss and gradients at the golden e, m and targets, compared with the float64 values. */
  check(side: SideName, golden: GoldenProto): Promise<GoldenVerdict | { ok: false; reason: string } | null>;
  firstStep(side: SideName, problem: SerialProblem): Promise<FirstStepTiming>;
  /** Builds and warms a side up; past `limitMs` for the first step it stops there (warmMs is then that step's). */
  prepare(side: SideName, problem: SerialProblem, limitMs?: number): Promise<Prepared>;
  /** ms per step of `count` steps queued back to back and waited for. */
  time(side: SideName, N: number, count: number): Promise<number>;
  release(side: SideName, N: number): void;
}

/** PeerProblem as page.evaluate carries it (plain arrays). */
export interface SerialProblem extends Omit<PeerProblem, 'e' | 'm'> {
  e: number[];
  m: number[];
}

declare global {
  interface Window {
    protolabPeers?: PeersPage;
  }
}

const log = pageLog('peers');

// Count compute dispatches on the one adapter, whoever encodes them.
let dispatchCount = 0;
if (typeof GPUComputePassEncoder !== 'undefined') {
  const proto = GPUComputePassEncoder.prototype;
  const direct = proto.dispatchWorkgroups;
  const indirect = proto.dispatchWorkgroupsIndirect;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...a: Parameters<typeof direct>) {
    dispatchCount++;
    return direct.apply(this, a);
  };
  proto.dispatchWorkgroupsIndirect = function (this: GPUComputePassEncoder, ...a: Parameters<typeof indirect>) {
    dispatchCount++;
    return indirect.apply(this, a);
  };
}

const toProblem = (p: SerialProblem): PeerProblem => ({ ...p, e: Float32Array.from(p.e), m: Float32Array.from(p.m) });
const runners = new Map<string, Runner>();
const key = (side: SideName, N: number): string => `${side}@${N}`;

window.protolabPeers = {
  async info() {
    const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
    const a = adapter?.info;
    return {
      userAgent: navigator.userAgent,
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency,
      adapter: a ? { vendor: a.vendor, architecture: a.architecture, description: a.description, isFallbackAdapter: (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (a as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false } : null,
      sides: Object.fromEntries(SIDES.map((s) => [s, describeSide(s)])),
    };
  },
  async check(side, golden) {
    log(`${side}: golden check at N = ${golden.N}`);
    let runner: Runner | null = null;
    try {
      runner = await buildSide(side, { targets: golden.target_ids, e: Float32Array.from(golden.e), m: Float32Array.from(golden.m), adamw: { lr: 0.01, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0.01 } });
      const got = await runner.lossAndGrads();
      return got ? checkGolden(got, golden) : null;
    } catch (e) {
      return { ok: false, reason: `${(e as Error).name}: ${(e as Error).message}` };
    } finally {
      runner?.dispose();
    }
  },
  firstStep: (side, problem) => timeFirstStep(side, toProblem(problem)),
  async prepare(side, problem, limitMs = Infinity) {
    const N = problem.targets.length;
    const runner = await buildSide(side, toProblem(problem));
    runners.set(key(side, N), runner);
    const t0 = performance.now();
    await runner.steps(1);
    const firstMs = performance.now() - t0;
    if (firstMs > limitMs) return { dispatches: null, ownCount: null, firstMs, warmMs: firstMs };
    const t1 = performance.now();
    await runner.steps(2);
    const warmMs = (performance.now() - t1) / 2;
    const before = dispatchCount;
    await runner.steps(1);
    const counted = dispatchCount - before;
    const ownCount = await runner.ownCount();
    log(`${side} N = ${N}: first ${firstMs.toFixed(0)} ms, warm ${warmMs.toFixed(1)} ms/step, ${counted} dispatches`);
    return { dispatches: side.endsWith('wasm') ? null : counted, ownCount, firstMs, warmMs };
  },
  async time(side, N, count) {
    const runner = runners.get(key(side, N));
    if (!runner) throw new Error(`prepare ${side} at N = ${N} first`);
    const t0 = performance.now();
    await runner.steps(count);
    return (performance.now() - t0) / count;
  },
  release(side, N) {
    runners.get(key(side, N))?.dispose();
    runners.delete(key(side, N));
  },
};
pageReady('ready: window.protolabPeers');
