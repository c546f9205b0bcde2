/**
 * The Chromium side of `npm run bench:peers`: a Vite dev server for this checkout on a free
 * 127.0.0.1 port (no HMR, no watcher; the peers' libraries pre-bundled up front so the page never
 * reloads mid-run), sent with COOP / COEP headers so the page is cross-origin isolated and the
 * wasm backends may use threads (SharedArrayBuffer), and /usr/bin/chromium through Playwright.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.ts';
import { REPO } from '../driver/tree.ts';
import { freePort } from '../driver/chromium-platform.ts';

export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } as const;

export interface Session {
  url: string;
  /** A fresh browser (its own GPU process and caches) with the peers page open and ready. */
  open(): Promise<{ browser: Browser; page: Page }>;
  close(): Promise<void>;
}

export async function startSession(o: { isolate: boolean; log: (line: string) => void }): Promise<Session> {
  const { createServer } = await import('vite');
  const { chromium } = await import('@playwright/test');
  const port = await freePort();
  const server: ViteDevServer = await createServer({
    configFile: join(REPO, 'vite.config.ts'),
    root: REPO,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null, headers: o.isolate ? { ...ISOLATION_HEADERS } : {} },
    optimizeDeps: {
      entries: ['bench/peers/index.html'],
      include: ['@jax-js/jax', '@tensorflow/tfjs-core', '@tensorflow/tfjs-core/dist/register_all_gradients', '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'],
    },
  });
  await server.listen();
  const xdg = mkdtempSync(join(tmpdir(), 'protolab-peers-xdg-'));
  const url = `http://127.0.0.1:${port}/bench/peers/index.html`;
  const browsers = new Set<Browser>();
  return {
    url,
    async open() {
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--disable-gpu-watchdog'], env: { ...process.env, XDG_RUNTIME_DIR: xdg } });
      browsers.add(browser);
      browser.on('disconnected', () => browsers.delete(browser));
      const page = await browser.newPage();
      page.on('console', (m) => {
        const t = m.text();
        if (t.startsWith('[peers]') || m.type() === 'error') o.log(t);
      });
      page.on('pageerror', (e) => o.log(`page error: ${e.message}`));
      await page.goto(url, { timeout: 120_000 });
      await page.waitForFunction(() => window.protolabPeers !== undefined, null, { timeout: 120_000 });
      return { browser, page };
    },
    async close() {
      for (const b of browsers) await b.close();
      await server.close();
      rmSync(xdg, { recursive: true, force: true });
    },
  };
}
