import { expect, type Page, type TestInfo } from '@playwright/test';
import type { ComputeReply } from './compute-worker.ts';
import type { Lab } from '../src/ui/lab.ts';

/** What the page exposes as globalThis.__protolab (its engine client, store and actions). */
export type PageLab = Lab;

/** Keeps a screenshot under test-results/<test>/ next to the automatic end-of-test one. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Browser console errors and uncaught exceptions, so a test can show them when it fails. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

export async function openLab(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Proto-token Lab');
}

/**
 * The lab with the largest step limit, for a test that stops its run itself: a run that must still
 * be going when the test acts cannot rely on how slowly this machine steps towards the default limit.
 */
export async function openWithoutLimit(page: Page): Promise<void> {
  await openLab(page, '/?steps=100000');
  await expect(page.getByTestId('setting-maxSteps')).toHaveValue('100000');
}

/**
 * Starts e2e/compute-worker.ts as a module worker in the page and waits for its answer.
 * The path is absolute so the dev server transforms the TypeScript on request.
 */
export function computeInWorker(page: Page, n: number): Promise<ComputeReply> {
  return page.evaluate(
    (count) =>
      new Promise<ComputeReply>((resolve, reject) => {
        const worker = new Worker('/e2e/compute-worker.ts', { type: 'module' });
        worker.onmessage = (event: MessageEvent<ComputeReply>) => {
          worker.terminate();
          resolve(event.data);
        };
        worker.onerror = (event) => {
          worker.terminate();
          reject(new Error(`worker failed to start: ${event.message || 'module load error'}`));
        };
        worker.postMessage({ n: count });
      }),
    n,
  );
}

/**
 * Resolves once the page's run reaches `phase` (and at least `minStep` steps were reported), by
 * subscribing to the page's store: one round trip and no polling, so the wait itself puts no load
 * on the main thread that a long-task check would then see.
 */
export async function waitForRun(page: Page, phase: string | null, minStep = 0, timeoutMs = 90_000): Promise<void> {
  await page.evaluate(
    ({ phase, minStep, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        const { store } = (globalThis as unknown as { __protolab: PageLab }).__protolab;
        const ok = (s: ReturnType<typeof store.getState>) => (phase === null || s.run.phase === phase) && (s.run.latest?.step ?? 0) >= minStep;
        if (ok(store.getState())) return resolve();
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`the run did not reach ${phase ?? 'step'} ${minStep} in ${timeoutMs} ms (phase ${store.getState().run.phase})`));
        }, timeoutMs);
        const stop = store.subscribe((s) => {
          if (!ok(s)) return;
          clearTimeout(timer);
          stop();
          resolve();
        });
      }),
    { phase, minStep, timeoutMs },
  );
}

/** Picks a served model in the model panel (the page may already be loading it) and waits until it is ready. */
export async function loadServedModel(page: Page, name: string): Promise<void> {
  const status = page.getByTestId('model-status');
  const ready = async () => (await status.getAttribute('data-state')) === 'ready' && (await status.textContent())?.includes(name);
  if (!(await ready())) {
    const state = await status.getAttribute('data-state');
    if (state !== 'loading') await page.locator(`li[data-model="${name}"] button`).click();
  }
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(status).toContainText(name);
}
