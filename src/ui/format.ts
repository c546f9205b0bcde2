/** Number and time formatting for the panels. Byte counts are formatted as the engine formats them. */
export { formatBytes } from '../util/bytes.ts';

/** 1 → "100 %", 0.625 → "62.5 %". */
export function formatPercent(fraction: number): string {
  return `${+(fraction * 100).toFixed(1)} %`;
}

/** 4321 ms → "4.3 s", 125000 → "2 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s - 60 * m)).padStart(2, '0')} s`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Makes whitespace in a token piece visible on a chip. */
export function showPiece(piece: string): string {
  return piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→') || '∅';
}
