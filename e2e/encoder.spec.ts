import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, snap, waitForRun, type PageLab } from './helpers.ts';

// Issue 19 §5: an encoder loaded in the Compress view shows its reconstruction of a typed text
// before any step, and a run starts from its prediction. The encoder is made here by the command
// line (a small one: 4 texts of 16 tokens it learns by heart, mean-pooled features, 32 hidden
// units; about 15 s), so the test follows the encoder file format as it changes.
const TEXT = 'The cat sat on the mat and looked at the';
const N = 16;
const TEXTS = [
  TEXT,
  'Once upon a time there was a little girl named Lily. She loved to',
  'Tom had a big red ball. He liked to play with it in the park every',
  'The sun was shining and the birds were singing in the tall green',
];

let dir = '';
let encoderFile = '';

test.beforeAll(() => {
  test.setTimeout(300_000);
  dir = mkdtempSync(join(tmpdir(), 'protolab-encoder-e2e-'));
  const texts = join(dir, 'texts');
  mkdirSync(texts);
  TEXTS.forEach((t, i) => writeFileSync(join(texts, `${i}.txt`), t));
  encoderFile = join(dir, 'stories260k-encoder.safetensors');
  const args = ['tsx', 'src/cli/main.ts', 'encoder', 'train', '--model', 'assets/models/stories260k', '--source', texts, '--texts', '4', '--batch', '4', '--held-out', '0', '--length', String(N), '--steps', '200', '--pool', 'mean', '--hidden-width', '32', '--out', encoderFile];
  const made = spawnSync('npx', args, { encoding: 'utf8', timeout: 280_000 });
  if (made.status !== 0) throw new Error(`protolab encoder train failed (${made.status}): ${made.stderr || made.stdout}`);
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The run's reports as the page keeps them: (step, tokens right) of every point. */
const points = (page: Page) =>
  page.evaluate(() => {
    const { run } = (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState();
    return run.points.map((p) => ({ step: p.step, correct: Math.round(p.accuracy * run.ids.length) }));
  });

test('an encoder reconstructs a typed text before any step, and a run starts from its prediction', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  // Reports after every step, so the first one scores the vectors the run started from.
  await page.goto('/?report=1&steps=400');
  await loadServedModel(page, 'stories260k');

  await page.getByTestId('encoder-file').setInputFiles(encoderFile);
  await expect(page.getByTestId('encoder-status')).toContainText(`texts of ${N} tokens`);
  await expect(page.getByTestId('encoder-name')).toHaveText('stories260k-encoder.safetensors');

  // Too short: it says how many tokens the encoder needs, and runs would start from the draw.
  await page.getByTestId('text-input').fill('The cat sat');
  await expect(page.getByTestId('encoder-unused')).toContainText(`The encoder needs ${N} tokens`);

  // Longer than N: cut to the first N tokens, and said so; the reconstruction appears without Compress.
  await page.getByTestId('text-input').fill(`${TEXT} big red ball`);
  await expect(page.getByTestId('encoder-cut')).toContainText(`the first ${N} of the text's`);
  await expect(page.getByTestId('encoder-accuracy')).toBeVisible();

  // Exactly N tokens: no cut, the prediction's accuracy line and its green tokens.
  await page.getByTestId('text-input').fill(TEXT);
  await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', String(N));
  const line = page.getByTestId('encoder-accuracy');
  await expect(line).toHaveAttribute('data-n', String(N));
  await expect(page.getByTestId('encoder-cut')).toHaveCount(0);
  const correct = Number(await line.getAttribute('data-correct'));
  await expect(line).toContainText(`encoder: ${correct}/${N} tokens right before any step`);
  // Learnt by heart from 4 texts: it gets some of this one right, not all (else no run would be needed).
  expect(correct).toBeGreaterThan(0);
  await expect(page.getByTestId('encoder-strip').locator('li')).toHaveCount(N);
  await expect(page.getByTestId('encoder-strip').locator('li[data-ok="true"]')).toHaveCount(correct);
  expect(await page.getByTestId('run-step').textContent()).toBe('0');
  await snap(page, testInfo, '01-prediction');

  // The run starts from the prediction: its first report (one step: the starting vectors' pass) is the encoder's count.
  await expect(page.getByTestId('compress')).toBeEnabled();
  await page.getByTestId('compress').click();
  const init = page.getByTestId('run-init');
  await expect(init).toHaveAttribute('data-correct', String(correct));
  await expect(init).toContainText(`init encoder: this run started from the encoder's prediction, ${correct}/${N} tokens right before any step`);
  await waitForRun(page, 'done');
  const reports = await points(page);
  expect(reports[0]).toEqual({ step: 1, correct });
  testInfo.annotations.push({ type: 'run from the encoder', description: `${correct}/${N} before any step; ${await page.getByTestId('run-result').textContent()}` });
  await snap(page, testInfo, '02-run-from-encoder');

  // The kept solution is tagged and says where it started.
  await page.getByRole('tab', { name: 'Library' }).click();
  const row = page.getByTestId('library-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('library-init')).toHaveAttribute('data-init', 'encoder');
  await expect(row.getByTestId('library-init')).toContainText('init encoder');
  await expect(row.getByTestId('library-tags')).toHaveValue('encoder');
  await snap(page, testInfo, '03-library');

  // Unloaded: no prediction, and the next run would start from the draw.
  await page.getByRole('tab', { name: 'Compress' }).click();
  await page.getByTestId('encoder-unload').click();
  await expect(page.getByTestId('encoder-accuracy')).toHaveCount(0);
  await expect(page.getByTestId('encoder-panel')).toHaveAttribute('data-state', 'none');
  expect(errors).toEqual([]);
});
