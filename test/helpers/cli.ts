import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/protolab.mjs', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The signal that ended it (protolabAsync), or null. */
  signal?: NodeJS.Signals | null;
}

/** Runs the command line in a fresh Node process, as a user would. */
export function protolab(args: string[], timeoutMs = 300_000): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: needed when the test itself serves what the command fetches (a Hub
 * stand-in in this process cannot answer while spawnSync holds the event loop), and to run several side by side.
 * `env` replaces the environment. `killAfterFirstLineIn`: SIGKILL the process once that file holds a whole line
 * (a results file's first record: a worker killed mid-sweep).
 */
export function protolabAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; killAfterFirstLineIn?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    const file = opts.killAfterFirstLineIn;
    const poll = file
      ? setInterval(() => {
          if (existsSync(file) && readFileSync(file, 'utf8').includes('\n')) child.kill('SIGKILL');
        }, 20)
      : undefined;
    const done = () => {
      clearTimeout(timer);
      clearInterval(poll);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code: code ?? -1, stdout, stderr, signal });
    });
  });
}

/** Errors are one line on stderr naming the problem. */
export function errorLine(r: CliRun): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('protolab:'));
  return lines.join('\n');
}
