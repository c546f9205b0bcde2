/**
 * The fallback-adapter notice's measured comparison (issue 21): where the latest committed run of
 * `npm run bench:peers` (bench/results/peers.json) found a peer's WASM backend faster than the
 * lab's WGSL engine on a CPU adapter (SwiftShader), the page says so with those figures. Pure:
 * it reads the committed numbers, never measures (the page keeps no GPU code outside the worker).
 * The committed file is read by peer-notice-latest.ts; this module stays importable from Node tests.
 */
interface PeerRow {
  side: string;
  N: number;
  medianMs: number | null;
}

export interface PeersRun {
  date: string;
  adapter: { vendor: string; architecture: string } | null;
  host?: { cores?: number };
  rows: PeerRow[];
}

const LIBRARY: Record<string, string> = { 'tfjs-wasm': 'TensorFlow.js (WASM backend)', 'jax-wasm': 'jax-js (WASM device)' };

/**
 * One sentence, or null when no WASM peer beat the engine in the run (or the run was not on a
 * CPU adapter). Lists every N where the fastest WASM peer was faster, with both medians.
 */
export function cpuPeerNotice(run: PeersRun | undefined): string | null {
  if (!run?.adapter || run.adapter.architecture !== 'swiftshader') return null;
  const ns = [...new Set(run.rows.map((r) => r.N))].sort((a, b) => a - b);
  const wins: string[] = [];
  let library = '';
  for (const N of ns) {
    const ours = run.rows.find((r) => r.N === N && r.side === 'ours')?.medianMs;
    const wasm = run.rows.filter((r) => r.N === N && r.side in LIBRARY && r.medianMs !== null).sort((a, b) => a.medianMs! - b.medianMs!)[0];
    if (!ours || !wasm || wasm.medianMs! >= ours) continue;
    library ||= LIBRARY[wasm.side];
    wins.push(`${N} tokens: ${wasm.medianMs!.toFixed(0)} ms against ${ours.toFixed(0)} ms per step${LIBRARY[wasm.side] !== library ? ` (${LIBRARY[wasm.side]})` : ''}`);
  }
  if (!wins.length) return null;
  const cores = run.host?.cores ? ` with ${run.host.cores} CPU cores` : '';
  return `On a CPU adapter like this one, ${library} ran the stories260k step faster than this engine in our measurement${cores} (${run.date.slice(0, 10)}): ${wins.join('; ')}.`;
}
