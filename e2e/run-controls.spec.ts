import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, openWithoutLimit, snap } from './helpers.ts';

// Random words, several times what stories260k can hold in two vectors (16-32 tokens), and the
// largest step limit: a run here ends only when the test stops it, however fast the machine steps.
// (A 16-token text solves in about 330 steps: a fast GPU finishes it before a key press lands.)
const TEXT = 'quarry velvet orbit lantern granite whisper pelican mosaic harbor tundra saffron beacon falcon meadow cipher ember glacier walnut prism ferry';

const stepOf = async (page: Page) => Number(await page.getByTestId('run-step').textContent());

async function typeText(page: Page, text: string): Promise<void> {
  await page.getByTestId('text-input').fill(text);
}

test.describe('run controls', () => {
  test('pauses, steps and resumes from the keyboard', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await openWithoutLimit(page);
    await loadServedModel(page, 'stories260k');
    await typeText(page, TEXT);
    await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', /^\d+$/);
    expect(Number(await page.getByTestId('token-count').getAttribute('data-count'))).toBeGreaterThan(48);
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
    await expect(panel).toHaveAttribute('data-phase', 'running');
    await expect.poll(() => stepOf(page)).toBeGreaterThan(paused + 2);
    await snap(page, testInfo, '02-resumed');
    await page.getByTestId('stop').click();
    await expect(panel).toHaveAttribute('data-phase', 'done');
    await expect(page.getByTestId('run-result')).toContainText('stopped');
    expect(errors).toEqual([]);
  });

  test('flags an over-long text before any work and stops a run on request', async ({ page }) => {
    await openWithoutLimit(page);
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
