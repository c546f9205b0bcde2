import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@playwright/test';

/**
 * What users run is the production build, not the dev server the other specs use (development
 * React renders everything twice and validates every prop). A spec that calls this builds the app
 * once, serves it with `vite preview` for its tests, and removes both afterwards. Each spec passes
 * its own `portOffset` from the dev server's port (PROTOLAB_E2E_PORT), so two specs never wait for
 * each other's port to be let go, and a second checkout moves all of them with one variable.
 * Returns the build's folder, valid inside the spec's tests.
 */
export function useProductionBuild(portOffset: number): { baseURL: string; outDir: () => string } {
  const port = Number(process.env.PROTOLAB_E2E_PORT ?? 4173) + portOffset;
  const baseURL = `http://127.0.0.1:${port}`;
  let outDir = '';
  let server: ChildProcess | null = null;

  test.describe.configure({ mode: 'serial' });
  test.use({ baseURL });

  test.beforeAll(async () => {
    test.setTimeout(420_000);
    outDir = mkdtempSync(join(tmpdir(), 'protolab-build-'));
    const build = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { encoding: 'utf8', timeout: 360_000 });
    if (build.status !== 0) throw new Error(`vite build failed (${build.status}): ${build.stderr || build.stdout}`);
    const log = `${outDir}-preview.log`;
    const fd = openSync(log, 'w');
    server = spawn('npx', ['vite', 'preview', '--outDir', outDir, '--port', String(port), '--strictPort'], { stdio: ['ignore', fd, fd], detached: true });
    try {
      await waitForServer(`${baseURL}/models/index.json`, 180_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${readFileSync(log, 'utf8')}`);
    }
  });

  test.afterAll(() => {
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
    if (outDir) {
      rmSync(outDir, { recursive: true, force: true });
      rmSync(`${outDir}-preview.log`, { force: true });
    }
  });

  return { baseURL, outDir: () => outDir };
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = String((e as Error).cause ?? e); // not listening yet
    }
    if (Date.now() > until) throw new Error(`vite preview did not answer at ${url} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
