import { describe, it, expect, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { decodeOnePass } from '../../src/prototokens/decode.ts';
import { decodeFromMemory } from '../../src/memory/decode.ts';
import { measureThroughput, OneShotDecoder, MemoryDecoder } from '../../src/throughput/throughput.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

describe('decoding throughput (one forward pass vs KV-cached autoregressive decoding) on stories260k', () => {
  let gpu: Gpu;
  let model: Model;
  beforeAll(async () => {
    gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
  });

  it('the timed decoders produce what decodeOnePass and decodeFromMemory produce, run after run', async () => {
    const d = model.spec.hidden;
    const rng = new Rng(1);
    const e = rng.normalArray(d);
    const m = rng.normalArray(d);
    const memory = rng.normalArray(2 * d);
    for (const [layout, firstTarget] of [['e,m*(N-1)', 'e'], ['(e,m)*N/2', 'first-m']] as const) {
      const one = new OneShotDecoder(model, 20, layout, firstTarget);
      const want = await decodeOnePass(model, { e, m }, layout, firstTarget, 20);
      expect((await one.run({ e, m })).tokens).toEqual(want);
      expect((await one.run({ e, m })).tokens).toEqual(want);
      one.destroy();
    }
    const mem = new MemoryDecoder(model, 2, 20);
    const want = await decodeFromMemory(model, { memory, K: 2 }, 20);
    expect((await mem.run(memory)).tokens).toEqual(want);
    expect((await mem.run(memory)).tokens).toEqual(want);
    mem.destroy();
  });

  it('a record: solution vs stand-in, runs, medians, tokens per second, passes and positions', async () => {
    const d = model.spec.hidden;
    const N = 24;
    const memory = new Rng(2).normalArray(d);
    // The memory's own greedy output is a text it reproduces exactly.
    const targets = await decodeFromMemory(model, { memory, K: 1 }, N);
    const progress: [number, number][] = [];
    const r = await measureThroughput(model, { targets, memory: { memory, K: 1 } }, { repeats: 3, machineLoad: () => 0.5, onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([[0, 4], [1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(r.N).toBe(N);
    expect(r.memory).toMatchObject({ method: 'memory', vectors: 'solution', tokens: N, passes: N, positions: N, reproduced: N, K: 1 });
    expect(r.oneShot).toMatchObject({ method: 'oneshot', vectors: 'stand-in', tokens: N, passes: 1, positions: N, reproduced: null, layout: 'e,m*(N-1)' });
    for (const t of [r.oneShot, r.memory]) {
      expect(t.runs).toHaveLength(3);
      expect(t.seconds).toBe([...t.runs].sort((a, b) => a - b)[1]);
      expect(t.minSeconds).toBe(Math.min(...t.runs));
      expect(t.tokensPerSecond).toBeCloseTo(N / t.seconds, 6);
    }
    expect(r.speedup).toBeCloseTo(r.oneShot.tokensPerSecond / r.memory.tokensPerSecond, 9);
    expect(r.loadAverage).toBe(0.5);
    expect(r.modelFingerprint).toBe(model.fingerprint);
  });

  it('at 128 tokens one pass reproduces faster than 128 cached decoding steps, and decoding time grows with length', async () => {
    const d = model.spec.hidden;
    const rng = new Rng(3);
    const e = rng.normalArray(d);
    const m = rng.normalArray(d);
    const long = await measureThroughput(model, { targets: new Array(128).fill(0), oneshot: { e, m, layout: 'e,m*(N-1)', firstTarget: 'e' } }, { repeats: 3 });
    const short = await measureThroughput(model, { targets: new Array(8).fill(0), oneshot: { e, m, layout: 'e,m*(N-1)', firstTarget: 'e' } }, { repeats: 3 });
    // 128 sequential passes against 8 of the same size: far more than any load noise on a shared machine.
    expect(long.memory.seconds).toBeGreaterThan(2 * short.memory.seconds);
    expect(long.speedup).toBeGreaterThan(1);
  });

  it('refuses lengths beyond the model’s positions and bad repeat counts', async () => {
    await expect(measureThroughput(model, { targets: new Array(513).fill(0) })).rejects.toThrow(/at most 512/);
    await expect(measureThroughput(model, { targets: [1, 2] }, { repeats: 0 })).rejects.toThrow(/repeats/);
  });
});
