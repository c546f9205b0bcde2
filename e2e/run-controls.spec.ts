import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, openLab, snap } from './helpers.ts';

// The same 16-token text as compress.spec.ts.
const TEXT = 'The cat sat on the mat and looked at the';
const N = 16;

const stepOf = async (page: Page) => Number(await page.getByTestId('run-step').textContent());

async function typeText(page: Page, text: string): Promise<void> {
  await page.getByTestId('text-input').fill(text);
}

test.describe('run controls', () => {
  test('pauses, steps and resumes from the keyboard', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await openLab(page);
    await loadServedModel(page, 'stories260k');
    await typeText(page, TEXT);
    await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', String(N));
    await page.locator('h1').click(); // keys go to the page, not the text box

    const panel = page.getByTestId('run-panel');
    await page.keyboard.press('Space');
    await expect.poll(() => stepOf(page)).toBeGreaterThan(0);
    await page.keyboard.press('Space');
    await expect(panel).toHaveAttribute('data-phase', 'paused');
    const paused = await stepOf(page);
    await page.waitForTimeout(500);
    expect(await stepOf(page)).toBe(paused);
    await snap(page, testInfo, '01-paused');

    await page.keyboard.press('s');
    await expect(page.getByTestId('run-step')).toHaveText(String(paused + 1));
    await expect(panel).toHaveAttribute('data-phase', 'paused');
    await page.getByTestId('step').click();
    await expect(page.getByTestId('run-step')).toHaveText(String(paused + 2));

    // Space on a focused button presses that button; the shortcut needs the focus elsewhere.
    await page.locator('h1').click();
    await page.keyboard.press('Space');
    await expect(panel).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
    await expect(page.getByTestId('accuracy')).toHaveText('100 %');
    await snap(page, testInfo, '02-done');
    expect(errors).toEqual([]);
  });

  test('flags an over-long text before any work and stops a run on request', async ({ page }) => {
    await openLab(page);
    await loadServedModel(page, 'stories260k');
    await typeText(page, 'Once upon a time there was a cat. '.repeat(80));
    await expect(page.getByTestId('too-long')).toBeVisible();
    await expect(page.getByTestId('too-long')).toContainText('at most 512 tokens');
    await expect(page.getByTestId('compress')).toBeDisabled();

    await typeText(page, TEXT);
    await expect(page.getByTestId('too-long')).toHaveCount(0);
    await page.getByTestId('compress').click();
    await expect.poll(() => stepOf(page)).toBeGreaterThan(0);
    await page.getByTestId('stop').click();
    await expect(page.getByTestId('run-panel')).toHaveAttribute('data-phase', 'done');
    await expect(page.getByTestId('run-result')).toContainText('stopped');
    await expect(page.getByTestId('save')).toBeEnabled();
  });
});
