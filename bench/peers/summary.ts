/**
 * The pure parts of `npm run bench:peers`: the alternating order of the sides, how many steps a
 * sample times, the per-N summary (median and minimum ms per step, ratios to the fastest WebGPU
 * peer) and the printed table. Kept free of Playwright and Vite so the unit tests can load it.
 */
import type { SideName } from './sides-list.ts';

/** Sides that run on the WebGPU adapter (the targets compare ours with these). */
export const WEBGPU_PEERS: readonly SideName[] = ['tfjs-webgpu', 'jax-webgpu'];

/**
 * The sides' order in round r: reversed every other round (so who runs after whom changes) and
 * rotated by one every two rounds, so that over n rounds each of n sides leads once.
 */
export function roundOrder<T>(sides: readonly T[], r: number): T[] {
  const base = r % 2 === 1 ? [...sides].reverse() : [...sides];
  const k = base.length ? Math.floor(r / 2) % base.length : 0;
  return [...base.slice(k), ...base.slice(0, k)];
}

/** Steps per sample: about sampleMs of work at the warm-up's pace, between 1 and maxSteps. */
export function stepsFor(warmMs: number, sampleMs: number, maxSteps = 200): number {
  return Math.max(1, Math.min(maxSteps, Math.round(sampleMs / Math.max(warmMs, 0.01))));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export interface SideRow {
  side: SideName;
  N: number;
  /** ms per step of every round's sample (empty when the side was not timed: see reason). */
  samples: number[];
  medianMs: number | null;
  minMs: number | null;
  stepsPerSample: number;
  dispatches: number | null;
  ownCount: number | null;
  /** The first step after building the runner (kernel compiles for the new shapes). */
  firstMs: number | null;
  reason?: string;
}

export function summariseSide(side: SideName, N: number, samples: number[], extra: Omit<SideRow, 'side' | 'N' | 'samples' | 'medianMs' | 'minMs'>): SideRow {
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return { side, N, samples: samples.map(r2), medianMs: samples.length ? r2(median(samples)) : null, minMs: samples.length ? r2(Math.min(...samples)) : null, ...extra };
}

export interface Verdicts {
  /** Per N: ours' median over the fastest WebGPU peer's median (target <= 0.5, moonshot <= 0.25). */
  ratioToFastestWebgpu: { N: number; fastest: SideName | null; ratio: number | null }[];
  /** Per N: the fastest wasm peer against ours (the adapter-notice target). */
  wasmAgainstOurs: { N: number; fastest: SideName | null; ratio: number | null }[];
}

function fastestOf(rows: SideRow[], among: readonly SideName[]): SideRow | null {
  const timed = rows.filter((r) => among.includes(r.side) && r.medianMs !== null);
  return timed.length ? timed.reduce((a, b) => (b.medianMs! < a.medianMs! ? b : a)) : null;
}

export function verdicts(rows: SideRow[]): Verdicts {
  const ns = [...new Set(rows.map((r) => r.N))].sort((a, b) => a - b);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const ratioToFastestWebgpu = ns.map((N) => {
    const at = rows.filter((r) => r.N === N);
    const ours = at.find((r) => r.side === 'ours');
    const best = fastestOf(at, WEBGPU_PEERS);
    return { N, fastest: best?.side ?? null, ratio: ours?.medianMs && best ? r3(ours.medianMs / best.medianMs!) : null };
  });
  const wasmAgainstOurs = ns.map((N) => {
    const at = rows.filter((r) => r.N === N);
    const ours = at.find((r) => r.side === 'ours');
    const best = fastestOf(at, ['tfjs-wasm', 'jax-wasm']);
    return { N, fastest: best?.side ?? null, ratio: ours?.medianMs && best ? r3(best.medianMs! / ours.medianMs) : null };
  });
  return { ratioToFastestWebgpu, wasmAgainstOurs };
}

/** A Markdown table: one row per N, one column per side ("median / min" ms per step), and ours / fastest WebGPU peer. */
export function table(rows: SideRow[], sides: readonly SideName[]): string {
  const ns = [...new Set(rows.map((r) => r.N))].sort((a, b) => a - b);
  const v = verdicts(rows).ratioToFastestWebgpu;
  const head = `| N | ${sides.join(' | ')} | ours / fastest WebGPU peer |`;
  const rule = `|---|${sides.map(() => '---').join('|')}|---|`;
  const lines = ns.map((N) => {
    const cells = sides.map((s) => {
      const r = rows.find((x) => x.side === s && x.N === N);
      return r?.medianMs != null ? `${r.medianMs} / ${r.minMs}` : r?.reason ? 'not timed' : '-';
    });
    const ratio = v.find((x) => x.N === N);
    return `| ${N} | ${cells.join(' | ')} | ${ratio?.ratio != null ? `${ratio.ratio} (${ratio.fastest})` : '-'} |`;
  });
  return [head, rule, ...lines].join('\n');
}
