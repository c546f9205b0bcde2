/**
 * The Chromium platform: a Vite dev server for the tree under test on a free 127.0.0.1 port
 * (no HMR, no watcher), /usr/bin/chromium driven by Playwright to bench/browser/index.html, and
 * window.protolabBench.run(input) evaluated in the page. Also counts the page's HTTP requests for
 * stories260k's files, which explain most of the browser's load time.
 */
import { createServer as createNetServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.ts';
import type { BenchInput, SuiteResults } from '../suite/results.ts';
import type { Tree } from './tree.ts';

/** A port free right now on 127.0.0.1, for the dev server: a fixed one could be held by another bench or dev server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The suite in Chromium. `beforeClose` runs once the results are in and before the browser closes,
 * so the load measurement can stop before Chromium's helpers exit (not all are reaped by us).
 */
export async function runChromium(
  tree: Tree,
  input: BenchInput,
  work: string,
  beforeClose: () => void = () => {},
): Promise<{ results: SuiteResults; version: string; modelRequests: number }> {
  const { createServer } = await import('vite');
  const { chromium } = await import('@playwright/test');
  const port = await freePort();
  const server = await createServer({
    configFile: join(tree.root, 'vite.config.ts'),
    root: tree.root,
    ...(tree.cacheDir ? { cacheDir: tree.cacheDir } : {}),
    logLevel: 'warn',
    clearScreen: false,
    // No HMR and no watcher: a file saved by someone else mid-run must not reload the page under the benchmark.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null, ...(tree.allow ? { fs: { allow: tree.allow } } : {}) },
  });
  await server.listen();
  const xdg = join(work, 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // A single 4096³ matmul or a big model's step keeps SwiftShader busy for minutes; the GPU
    // process watchdog must not count that as a hang.
    args: [...CHROMIUM_ARGS, '--disable-gpu-watchdog'],
    env: { ...process.env, XDG_RUNTIME_DIR: xdg },
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('[chromium]')) console.error(t);
      else if (m.type() === 'error') errors.push(t);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Model files travel as Range requests (no Cache Storage): their count explains most of the load time.
    let modelRequests = 0;
    page.on('request', (r) => {
      // Only stories260k's files: the fixture models load from /models/fixtures-*/ later in the run.
      if (new URL(r.url()).pathname.startsWith(`/models/${input.model}/`)) modelRequests++;
    });
    await page.goto(`http://127.0.0.1:${port}/bench/browser/index.html`, { timeout: 120_000 });
    await page.waitForFunction(() => window.protolabBench !== undefined, null, { timeout: 120_000 });
    const results = await page
      .evaluate((input) => window.protolabBench!.run(input), input)
      .catch((e: unknown) => {
        throw new Error(`${(e as Error).message}${errors.length ? `\npage errors:\n${errors.join('\n')}` : ''}`);
      });
    beforeClose();
    return { results, version: browser.version(), modelRequests };
  } finally {
    await browser.close();
    await server.close();
  }
}
