import { join } from 'node:path';
import { assetsDir } from '../src/util/assets-dir.ts';
import { expect, test } from '@playwright/test';
import { collectPageErrors, loadServedModel, openLab, snap, type PageLab } from './helpers.ts';

// The engine end to end in the page: stories260k loads through the worker (HTTP source, GPU upload,
// tokenizer) and one forward pass over "Once upon a time" after BOS predicts what Node predicts.
test('stories260k loads in the worker and scores one forward pass', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await openLab(page);
  await loadServedModel(page, 'stories260k');
  await snap(page, testInfo, '01-model-ready');

  const result = await page.evaluate(async () => {
    const lab = (globalThis as unknown as { __protolab: PageLab }).__protolab;
    const tokens = await lab.client.request({ type: 'tokenize', text: 'Once upon a time', layout: 'e,m*(N-1)', firstTarget: 'e' });
    const model = lab.store.getState().model;
    if (model.state !== 'ready' || model.info.spec.bosTokenId === null) throw new Error('the model is not ready or has no BOS token');
    const ids = [model.info.spec.bosTokenId, ...tokens.ids];
    const evaluated = await lab.client.request({ type: 'evaluate', ids });
    return { ids, pieces: tokens.pieces, nll: evaluated.nll, argmax: evaluated.argmax, hLm: evaluated.hLm };
  });
  testInfo.annotations.push({ type: 'forward pass', description: JSON.stringify(result) });

  expect(result.ids).toEqual([1, 403, 407, 261, 378]);
  expect(result.argmax).toHaveLength(5);
  expect(result.argmax[4]).toBe(432);
  expect(result.nll).toHaveLength(4);
  for (const x of result.nll) {
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeGreaterThanOrEqual(0);
  }
  // Node's engine on the same weights: 0.2437, 0.0175, 0.0121, 0.0007 nats.
  expect(result.nll[0]).toBeCloseTo(0.2437, 2);
  expect(result.hLm).toBeCloseTo(result.nll.reduce((a, b) => a + b, 0), 5);
  expect(errors).toEqual([]);
});

// Issue 14: the repository carries its default model and texts, so a first visit (nothing in the
// URL, no click) has stories260k ready to compress, from the checkout's own assets/.
test('a first visit has stories260k ready to compress without a click', async ({ page, request }) => {
  const errors = collectPageErrors(page);
  const models = (await (await request.get('/models/index.json')).json()) as { name: string }[];
  expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(['stories260k', 'fixtures-gpt-neox-tiny', 'fixtures-llama-gqa-untied']));
  const texts = (await (await request.get('/data/index.json')).json()) as { path: string }[];
  expect(texts.filter((t) => t.path.startsWith('pg19/test/')).length).toBeGreaterThanOrEqual(40);

  await page.goto('/');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(status).toContainText('stories260k');
  await page.getByTestId('text-input').fill('Once upon a time');
  await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', '4');
  await expect(page.getByTestId('compress')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('refuses a malformed Hub repo id before any download', async ({ page }) => {
  await openLab(page);
  await loadServedModel(page, 'stories260k');
  await page.getByTestId('hub-repo').fill('not a repo');
  await page.getByRole('button', { name: 'Load from Hub' }).click();
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'error');
  await expect(status).toContainText('invalid Hugging Face repo id');
  await expect(page.getByTestId('compress')).toBeDisabled();
});

test('loads a model from a picked local folder', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openLab(page);
  await loadServedModel(page, 'stories260k');
  const folder = join(assetsDir(), 'fixtures', 'stories260k');
  await page.getByTestId('model-folder').setInputFiles(folder);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'ready');
  await expect(status).toContainText('stories260k');
  await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe('local:stories260k');
  await page.getByTestId('text-input').fill('Once upon a time');
  await expect(page.getByTestId('token-count')).toHaveAttribute('data-count', '4');
  expect(errors).toEqual([]);
});
