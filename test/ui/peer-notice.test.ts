import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cpuPeerNotice, type PeersRun } from '../../src/ui/peer-notice.ts';
import { CPU_PEER_NOTICE } from '../../src/ui/peer-notice-latest.ts';

const run = (rows: [string, number, number | null][], architecture = 'swiftshader'): PeersRun => ({
  date: '2026-12-07T18:00:00.000Z',
  adapter: { vendor: 'google', architecture },
  host: { cores: 2 },
  rows: rows.map(([side, N, medianMs]) => ({ side, N, medianMs })),
});

describe('the fallback adapter notice of measured WASM peers', () => {
  it('names every N where the fastest WASM peer beat the engine, with both medians', () => {
    const text = cpuPeerNotice(run([['ours', 16, 18], ['tfjs-wasm', 16, 26], ['ours', 64, 78.3], ['tfjs-wasm', 64, 68.7], ['jax-wasm', 64, 120], ['ours', 128, 150], ['tfjs-wasm', 128, null], ['jax-wasm', 128, 140]]));
    expect(text).toContain('TensorFlow.js (WASM backend)');
    expect(text).toContain('64 tokens: 69 ms against 78 ms per step');
    expect(text).toContain('128 tokens: 140 ms against 150 ms per step (jax-js (WASM device))');
    expect(text).not.toContain('16 tokens');
    expect(text).toContain('2 CPU cores');
  });

  it('says nothing when the engine was faster everywhere, or the run was not on SwiftShader', () => {
    expect(cpuPeerNotice(run([['ours', 16, 18], ['tfjs-wasm', 16, 26]]))).toBeNull();
    expect(cpuPeerNotice(run([['ours', 64, 78], ['tfjs-wasm', 64, 60]], 'ampere'))).toBeNull();
    expect(cpuPeerNotice(undefined)).toBeNull();
  });

  it('the page notice follows the latest committed bench:peers run', () => {
    const runs = (JSON.parse(readFileSync('bench/results/peers.json', 'utf8')) as { runs: PeersRun[] }).runs;
    expect(CPU_PEER_NOTICE).toBe(cpuPeerNotice(runs.at(-1)));
  });
});
