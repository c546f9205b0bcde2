import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { cpuPeerNotice, type PeersRun } from '../src/ui/peer-notice.ts';
import { collectPageErrors, computeInWorker, openLab, snap } from './helpers.ts';

test.describe('lab shell on this Chromium', () => {
  test('shows a WebGPU adapter and the served models', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await openLab(page);
    await snap(page, testInfo, '01-opened');

    const gpu = page.getByTestId('webgpu-status');
    await expect(gpu).toHaveAttribute('data-state', 'ready');
    const adapter = (await page.getByTestId('webgpu-adapter').textContent()) ?? '';
    testInfo.annotations.push({ type: 'adapter', description: adapter });
    expect(adapter.length).toBeGreaterThan(0);
    // On SwiftShader the notice carries the committed bench:peers figures where a WASM peer was faster.
    const latest = (JSON.parse(readFileSync('bench/results/peers.json', 'utf8')) as { runs: PeersRun[] }).runs.at(-1);
    const notice = cpuPeerNotice(latest);
    if (adapter.includes('swiftshader') && notice) await expect(page.getByTestId('webgpu-peer-notice')).toHaveText(notice);

    const models = page.getByTestId('model-list');
    await expect(models).toHaveAttribute('data-state', 'ready');
    await expect(models.locator('li[data-model="stories260k"]')).toBeVisible();
    await expect(models.locator('li[data-model="fixtures-stories260k"]')).toBeVisible();
    await snap(page, testInfo, '02-ready');
    expect(errors).toEqual([]);
  });

  test('serves model bytes to the page with Range support', async ({ page }) => {
    await openLab(page);
    const result = await page.evaluate(async () => {
      const full = await fetch('/models/stories260k/model.safetensors');
      const bytes = new Uint8Array(await full.arrayBuffer());
      const part = await fetch('/models/stories260k/model.safetensors', { headers: { Range: 'bytes=0-7' } });
      const head = new Uint8Array(await part.arrayBuffer());
      return { status: full.status, length: bytes.length, partStatus: part.status, same: head.every((b, i) => b === bytes[i]), headLength: head.length };
    });
    expect(result).toMatchObject({ status: 200, partStatus: 206, same: true, headLength: 8 });
    expect(result.length).toBeGreaterThan(1000);
  });

  test('runs a compute shader inside a dedicated Web Worker', async ({ page }, testInfo) => {
    await openLab(page);
    const n = 1000;
    const reply = await computeInWorker(page, n);
    if (!reply.ok) throw new Error(reply.error);
    testInfo.annotations.push({ type: 'worker adapter', description: `${reply.vendor} / ${reply.architecture}, fallback ${reply.isFallbackAdapter}` });
    expect(reply.output).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      expect(reply.output[i]).toBeCloseTo((i % 17) * 2 + i, 2);
    }
    await snap(page, testInfo, '03-after-worker');
  });
});
