import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectPageErrors, loadServedModel, snap } from './helpers.ts';

// Issue 19 §5: the Experiments view measures an encoder file on the loaded model, zero-shot and
// with the warm start, holding the experiment's place, and stops when asked. The encoder is made
// here by the command line (a tiny one: 20 steps on 16 pg19-windows texts of 8 tokens; seconds).
let dir = '';
let encoderFile = '';

test.beforeAll(() => {
  test.setTimeout(300_000);
  dir = mkdtempSync(join(tmpdir(), 'protolab-encoder-eval-e2e-'));
  encoderFile = join(dir, 'tiny-encoder.safetensors');
  const args = ['tsx', 'src/cli/main.ts', 'encoder', 'train', '--model', 'assets/models/stories260k', '--source', 'pg19-windows', '--texts', '16', '--batch', '8', '--held-out', '0', '--length', '8', '--steps', '20', '--hidden-width', '16', '--out', encoderFile];
  const made = spawnSync('npx', args, { encoding: 'utf8', timeout: 280_000 });
  if (made.status !== 0) throw new Error(`protolab encoder train failed (${made.status}): ${made.stderr || made.stdout}`);
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.use({ trace: 'off' });

test('measures an encoder (zero-shot and warm start) in the Experiments view, and stops one', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  // 3 PG-19 texts (of the encoder's 8 tokens), a warm start of at most 100 steps at learning rate 0.1.
  await page.goto('/?view=experiments&exp_source=pg19&exp_texts=3&exp_steps=100&exp_warm=true&lr=0.1');
  await loadServedModel(page, 'stories260k');
  await expect(page.getByTestId('enc-warm-start')).toBeChecked();
  await page.getByTestId('enc-file').setInputFiles(encoderFile);
  await expect(page.getByTestId('enc-progress')).toBeVisible();
  // It holds the experiment's place: no experiment starts meanwhile.
  await expect(page.getByTestId('exp-start')).toBeDisabled();
  await expect(page.getByTestId('enc-message')).toContainText('Measured tiny-encoder.safetensors on 3 texts of 8 tokens');
  const row = page.getByTestId('enc-table').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('enc-zero-shot')).toHaveText(/^\d+(\.\d)? % ± \d+(\.\d)? %$/);
  await expect(row.getByTestId('enc-steps-encoder')).toContainText(/\/3 solved$/);
  await expect(row.getByTestId('enc-steps-draw')).toContainText(/\/3 solved$/);
  await snap(page, testInfo, 'measured');

  // A budget it cannot end soon, stopped during the warm start: the zero-shot part is kept.
  await page.getByTestId('exp-expSteps').fill('100000');
  await page.getByTestId('enc-file').setInputFiles(encoderFile);
  await expect(page.getByTestId('enc-progress')).toContainText('warm start');
  await page.getByTestId('enc-stop').click();
  await expect(page.getByTestId('enc-message')).toContainText('Cancelled during the warm start');
  await expect(row).toHaveCount(2);
  await expect(row.nth(1).getByTestId('enc-steps-encoder')).toHaveText('stopped');
  await expect(page.getByTestId('exp-start')).toBeEnabled();
  expect(errors).toEqual([]);
});
