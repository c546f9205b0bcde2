import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, longTasks, openLab, snap, waitForRun, watchLongTasks, type LongTask } from './helpers.ts';

// 16 tokens of stories260k; seed 0 solves it in about 330 steps (Node), several seconds in Chromium.
const TEXT = 'The cat sat on the mat and looked at the';
const N = 16;

const pageNow = (page: Page) => page.evaluate(() => performance.now());
const stepOf = async (page: Page) => Number(await page.getByTestId('run-step').textContent());

async function typeText(page: Page, text: string): Promise<void> {
  await page.getByTestId('text-input').fill(text);
}

// Trace snapshots serialise the DOM on the page's main thread after every action: harness work that
// would be counted as the lab's long tasks. The screenshots still record the run.
test.use({ trace: 'off' });

test.describe('compress a pasted text live', () => {
  test('compresses 16 tokens to 100 %, saves, reloads and decodes the file', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await watchLongTasks(page);
    await openLab(page);
    await loadServedModel(page, 'stories260k');

    await typeText(page, TEXT);
    await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', String(N));
    await expect(page.getByTestId('token-chips').locator('li')).toHaveCount(N);
    await expect(page.getByTestId('compress')).toBeEnabled();

    const t0 = await pageNow(page);
    await page.getByTestId('compress').click();
    const panel = page.getByTestId('run-panel');
    // Mid-training: the first reports are in and the run is still going.
    await waitForRun(page, null, 1);
    // Capturing a screenshot is itself a long task on the page's main thread: remember when it ran.
    const s0 = await pageNow(page);
    await snap(page, testInfo, '01-training');
    const s1 = await pageNow(page);
    const midPhase = await panel.getAttribute('data-phase');
    testInfo.annotations.push({ type: 'phase at the mid-training screenshot', description: `${midPhase} at step ${await stepOf(page)}` });

    await waitForRun(page, 'done');
    const t1 = await pageNow(page);
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

    // The main thread stayed responsive: no task over 100 ms between Compress and the result
    // (the test's own mid-training screenshot excepted).
    const overlapsScreenshot = (t: LongTask) => t.start <= s1 && t.start + t.duration >= s0;
    const during = (await longTasks(page)).filter((t) => t.start >= t0 && t.start <= t1 && !overlapsScreenshot(t));
    testInfo.annotations.push({ type: 'long tasks during training (screenshot excluded)', description: JSON.stringify({ during, screenshot: [s0, s1] }) });
    expect(during.filter((t) => t.duration > 100)).toEqual([]);

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
