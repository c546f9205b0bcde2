/** A one-line progress bar on stderr, drawn only on a terminal so pipes and logs stay clean. */
export function progressLine(done: number, total: number, extra: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((width * Math.min(done, total)) / Math.max(1, total));
  process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}`);
}

export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}
