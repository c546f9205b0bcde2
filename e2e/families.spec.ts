import { expect, test } from '@playwright/test';
import { collectPageErrors, loadServedModel, snap, waitForRun } from './helpers.ts';

// The two families whose proto-token inputs follow rules of their own in the browser engine:
// Gemma 3 (sliding-window layers, sandwich norms, an embedding scale that must not touch e and m)
// and GPT-2 (learned positions added to them). Each fixture's own tokenizer (8 and 4 tokens). The
// fixtures' weights are random, which makes them harder to write into than a trained model: at
// lr 0.1 the command line solves these texts in 473 and 31 steps; the run stops once every token
// is right, well inside the budget.
const TEXT = 'A red fox.';
const CASES = [
  { model: 'fixtures-gemma3-tiny', family: 'gemma3_text' },
  { model: 'fixtures-gpt2-tiny', family: 'gpt2' },
];

test.use({ trace: 'off' });

test.describe('model families in the page', () => {
  for (const c of CASES) {
    test(`${c.family}: the page names the family, compresses a text and decodes it back`, async ({ page }, testInfo) => {
      const errors = collectPageErrors(page);
      await page.goto(`/?${new URLSearchParams({ model: c.model, steps: '3000', lr: '0.1', text: TEXT })}`);
      await loadServedModel(page, c.model);
      await expect(page.getByTestId('model-family')).toHaveText(c.family);
      await expect(page.getByTestId('compress')).toBeEnabled();
      const N = Number(await page.getByTestId('token-count').getAttribute('data-count'));
      expect(N).toBeGreaterThan(2);
      await page.getByTestId('compress').click();
      await waitForRun(page, 'done', 0, 150_000);
      await expect(page.getByTestId('c-tokens')).toHaveText(`${N} / ${N}`);
      await expect(page.getByTestId('decoded-text')).toHaveText(TEXT);
      await snap(page, testInfo, `${c.family}-compressed`);
      expect(errors).toEqual([]);
    });
  }
});
