import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/protolab.mjs', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in a fresh Node process, as a user would. */
export function protolab(args: string[], timeoutMs = 300_000): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Errors are one line on stderr naming the problem. */
export function errorLine(r: CliRun): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('protolab:'));
  return lines.join('\n');
}
