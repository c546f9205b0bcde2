import { chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium.ts';

// PROTOLAB_E2E_PORT: a second checkout or engineer can run the browser tests at the same time.
const PORT = Number(process.env.PROTOLAB_E2E_PORT ?? 4173);
const BASE_URL = `http://127.0.0.1:${PORT}`;

/**
 * Chromium complains on every launch when XDG_RUNTIME_DIR is unset or not private. scripts/test.sh
 * exports a fresh one; otherwise one fixed per-user folder (not a mkdtemp) because this file is
 * loaded by the runner and again by each worker, and nothing would clean the extra folders up.
 */
function privateRuntimeDir(): string {
  if (process.env.XDG_RUNTIME_DIR) return process.env.XDG_RUNTIME_DIR;
  const dir = join(tmpdir(), `protolab-xdg-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One browser at a time: SwiftShader already uses both cores of the CI machine.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // SwiftShader compiles and runs shaders on the CPU; the first dev-server load also pre-bundles React.
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    screenshot: 'on',
    trace: 'retain-on-failure',
    navigationTimeout: 120_000,
    actionTimeout: 60_000,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      env: { ...process.env, XDG_RUNTIME_DIR: privateRuntimeDir() },
    },
  },
  webServer: {
    // No HMR: other work on the tree (a shader being tuned) would otherwise reload pages mid-test.
    command: `PROTOLAB_HMR=off npx vite --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `${BASE_URL}/models/index.json`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
