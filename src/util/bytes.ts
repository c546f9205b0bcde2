/**
 * Byte counts for people: the one formatter of the engine's messages, the command line, the
 * benchmark tables and the UI panels. Pure, no platform or React imports.
 * 512 → "512 B", 1536 → "1.5 KiB", 16 << 20 → "16.0 MiB", 1.5 * 2 ** 30 → "1.50 GiB".
 */
export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
