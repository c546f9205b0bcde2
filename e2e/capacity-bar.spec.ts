import { expect, test } from '@playwright/test';
import { collectPageErrors, loadServedModel, openLab, snap, waitForRun, type PageLab } from './helpers.ts';

// The capacity bar beside a compress run (issue 19 §5): stories260k's bound, 64 × 16 bits /
// log2 512 = 113.8 tokens, and the text's H_LM once the worker has scored it.

test.use({ trace: 'off' });

test('the capacity bar shows the bound and the text\'s H_LM during a run', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await openLab(page);
  await loadServedModel(page, 'stories260k');
  await page.getByTestId('text-input').fill('The cat sat on the mat.');
  await expect(page.getByTestId('compress')).toBeEnabled();
  await page.getByTestId('compress').click();
  await waitForRun(page, null, 1);
  const bar = page.getByTestId('capacity-bar');
  await expect(bar).toBeVisible();
  await expect(page.getByTestId('capacity-bar-bound')).toHaveText('bound 113.8');
  await expect(page.getByTestId('capacity-bar-hlm')).toContainText(/^H_LM \d+\.\d bits$/);
  await expect(page.getByTestId('capacity-bar-caption')).toContainText('64 × 16 bits / log2 512 = 113.8 tokens (1024 bits)');
  await snap(page, testInfo, 'capacity-bar');
  // Stop it unless it is solved already (a short text can be, within seconds).
  await page.evaluate(() => {
    const { store, actions } = (globalThis as unknown as { __protolab: PageLab }).__protolab;
    if (store.getState().run.phase === 'running') actions.stop();
  });
  await waitForRun(page, 'done');
  // The finished run keeps its bar: its kept solution against the same marks.
  await expect(page.getByTestId('capacity-bar-bound')).toHaveText('bound 113.8');
  expect(errors).toEqual([]);
});
