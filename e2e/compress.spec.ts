import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, openLab, snap, waitForRun } from './helpers.ts';

// 16 tokens of stories260k; seed 0 solves it in about 330 steps (Node), several seconds in Chromium.
const TEXT = 'The cat sat on the mat and looked at the';
const N = 16;

const stepOf = async (page: Page) => Number(await page.getByTestId('run-step').textContent());

async function typeText(page: Page, text: string): Promise<void> {
  await page.getByTestId('text-input').fill(text);
}

// That the page stays responsive meanwhile is e2e/responsive.spec.ts, on the production build.

test.describe('compress a pasted text live', () => {
  test('compresses 16 tokens to 100 %, saves, reloads and decodes the file', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await openLab(page);
    await loadServedModel(page, 'stories260k');

    await typeText(page, TEXT);
    await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', String(N));
    await expect(page.getByTestId('token-chips').locator('li')).toHaveCount(N);
    await expect(page.getByTestId('compress')).toBeEnabled();

    await page.getByTestId('compress').click();
    const panel = page.getByTestId('run-panel');
    // Mid-training: the first reports are in and the run is still going.
    await waitForRun(page, null, 1);
    await snap(page, testInfo, '01-training');
    const midPhase = await panel.getAttribute('data-phase');
    testInfo.annotations.push({ type: 'phase at the mid-training screenshot', description: `${midPhase} at step ${await stepOf(page)}` });

    await waitForRun(page, 'done');
    await snap(page, testInfo, '02-solved');

    await expect(page.getByTestId('accuracy')).toHaveText('100 %');
    await expect(page.getByTestId('c-tokens')).toHaveText(`${N} / ${N}`);
    const strip = page.getByTestId('token-strip').locator('li');
    await expect(strip).toHaveCount(N);
    await expect(page.getByTestId('token-strip').locator('li[data-ok="true"]')).toHaveCount(N);
    await expect(page.getByTestId('decoded-text')).toHaveText(TEXT);
    await expect(page.getByTestId('run-result')).toContainText('solved');
    const speed = await page.getByTestId('steps-per-sec').textContent();
    const elapsed = await page.getByTestId('elapsed').textContent();
    testInfo.annotations.push({ type: 'run', description: `${await stepOf(page)} steps, ${elapsed}, ${speed}` });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save').click()]);
    expect(download.suggestedFilename()).toMatch(/^stories260k-16tok-seed0\.safetensors$/);
    const saved = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(saved);

    // The URL carries the settings and the text, so the reloaded page has them again.
    expect(new URL(page.url()).searchParams.get('text')).toBe(TEXT);
    await page.reload();
    await expect(page.getByTestId('text-input')).toHaveValue(TEXT);
    await loadServedModel(page, 'stories260k');
    await page.getByTestId('solution-file').setInputFiles(saved);
    await expect(page.getByTestId('solution-text')).toHaveText(TEXT);
    await expect(page.getByTestId('solution-strip').locator('li[data-ok="true"]')).toHaveCount(N);
    await expect(page.getByTestId('solution-meta')).toContainText(`${N} / ${N} tokens match`);
    await snap(page, testInfo, '03-decoded-after-reload');
    expect(errors).toEqual([]);
  });
});
