import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, snap, waitForRun, type PageLab } from './helpers.ts';

// Issue 5 §2 end to end on stories260k: two seeds of one short text compressed on the page (kept in
// the library by themselves), joined by the straight segment and a trained Bezier curve.
const TEXT = 'The cat sat on the mat.';

async function openWith(page: Page, query: Record<string, string>): Promise<void> {
  await page.goto(`/?${new URLSearchParams({ model: 'stories260k', ...query })}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Proto-token Lab');
  await loadServedModel(page, 'stories260k');
}

/** What the page's store says about the interpolate view (plain numbers for the assertions). */
function interpFacts(page: Page) {
  return page.evaluate(() => {
    const s = (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState();
    const v = s.interp;
    return {
      records: s.library.records.map((r) => ({ id: r.id, seed: r.seed, accuracy: r.accuracy })),
      pair: v.pair.state,
      linearMean: v.scans.linear?.meanLoss ?? null,
      bezierMean: v.scans.bezier?.meanLoss ?? null,
      linearAccuracy: v.scans.linear?.accuracy ?? null,
      bezierAccuracy: v.scans.bezier?.accuracy ?? null,
      ratio: v.curve?.lengthRatio ?? null,
      origin: v.curve?.origin ?? null,
      steps: v.curve?.losses.length ?? null,
    };
  });
}

const series = (page: Page, chart: string, name: string) => page.getByTestId(chart).locator(`g.series[data-series="${name}"]`);

test.use({ trace: 'off' });

test('linear and Bezier paths between two seeds of one text', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  const errors = collectPageErrors(page);
  await openWith(page, { steps: '600', text: TEXT, seed: '1' });
  for (const seed of [1, 2]) {
    await page.evaluate((sd) => (globalThis as unknown as { __protolab: PageLab }).__protolab.actions.setSettings({ seed: sd }), seed);
    await expect(page.getByTestId('compress')).toBeEnabled();
    await page.getByTestId('compress').click();
    await waitForRun(page, 'done', 1, 150_000);
    await expect(page.getByTestId('accuracy')).toHaveText('100 %');
  }
  await expect.poll(async () => (await interpFacts(page)).records.length).toBe(2);
  const { records } = await interpFacts(page);
  const [b, a] = records; // newest first
  expect(records.map((r) => r.accuracy)).toEqual([1, 1]);

  await page.getByRole('tab', { name: 'Interpolate' }).click();
  await expect(page.getByTestId('interp-panel')).toBeVisible();
  // The same solution twice is refused with the reason.
  await page.getByTestId('interp-a').selectOption(a.id);
  await page.getByTestId('interp-b').selectOption(a.id);
  await page.getByTestId('interp-use-pair').click();
  await expect(page.getByTestId('interp-pair-error')).toContainText('same solution');

  await page.getByTestId('interp-b').selectOption(b.id);
  await page.getByTestId('interp-use-pair').click();
  await expect(page.getByTestId('interp-pair-ready')).toContainText(TEXT);
  // The straight segment is scanned at once (21 points by default), ends solved.
  await expect(series(page, 'interp-accuracy-chart', 'straight segment')).toHaveAttribute('data-points', '21');
  await expect(series(page, 'interp-loss-chart', 'straight segment')).toHaveAttribute('data-points', '21');
  const lin = await interpFacts(page);
  expect(lin.linearAccuracy![0]).toBe(1);
  expect(lin.linearAccuracy![20]).toBe(1);
  await expect(page.getByTestId('tau-decoded-linear').locator('li.chip')).not.toHaveCount(0);
  await snap(page, testInfo, '01-linear-scan');

  // Bezier training with live progress, then the curve's scan over the segment's.
  await page.getByTestId('interp-train').click();
  await expect(page.getByTestId('interp-training')).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId('interp-training').getAttribute('data-step').catch(() => '100')), { timeout: 120_000 }).toBeGreaterThan(5);
  await expect(page.getByTestId('interp-bezier-loss')).toBeVisible();
  await snap(page, testInfo, '02-training');
  await expect(page.getByTestId('interp-curve-summary')).toBeVisible({ timeout: 240_000 });
  await expect(series(page, 'interp-accuracy-chart', 'trained Bezier curve')).toHaveAttribute('data-points', '21');
  await expect(series(page, 'interp-loss-chart', 'trained Bezier curve')).toHaveAttribute('data-points', '21');
  await expect(page.getByTestId('interp-curve-saved')).toHaveText(/yes/);
  const done = await interpFacts(page);
  testInfo.annotations.push({ type: 'interpolation', description: JSON.stringify(done) });
  expect(done.steps).toBe(100);
  expect(done.bezierMean!).toBeLessThan(done.linearMean!);
  expect(done.ratio!).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('interp-mean-bezier')).toBeVisible();
  await expect(page.getByTestId('interp-length-ratio')).toHaveText(done.ratio!.toFixed(3));

  // The tau slider decodes on both paths; tokens carry their agreement with the two ends.
  await page.getByTestId('tau-slider').fill('0.5');
  await expect(page.getByTestId('tau-value')).toHaveText('0.50');
  await expect(page.getByTestId('tau-decoded-bezier')).toHaveAttribute('data-tau', '0.5');
  await expect(page.getByTestId('tau-decoded-linear')).toHaveAttribute('data-tau', '0.5');
  const chips = page.getByTestId('tau-decoded-bezier').locator('li.chip');
  const n = await chips.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) expect(['both', 'a', 'b', 'neither']).toContain(await chips.nth(i).getAttribute('data-agree'));

  // The 2-D view draws both paths and both ends; every plot can be saved.
  const pca = page.getByTestId('interp-pca');
  await expect(pca).toHaveAttribute('data-has-curve', 'true');
  await expect(pca.locator('path[data-path="linear"]')).toHaveCount(1);
  await expect(pca.locator('path[data-path="bezier"]')).toHaveCount(1);
  await expect(pca.locator('circle.pca-end')).toHaveCount(2);
  for (const id of ['interp-accuracy-chart-save', 'interp-loss-chart-save', 'interp-bezier-loss-save', 'interp-pca-save']) await expect(page.getByTestId(id)).toBeVisible();
  await snap(page, testInfo, '03-bezier-and-slider');

  // The trained curve is kept with the pair: after a reload, picking the pair again brings it back.
  await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('interpolate');
  await page.reload();
  await loadServedModel(page, 'stories260k');
  await expect(page.getByTestId('interp-a')).toHaveValue(a.id);
  await expect(page.getByTestId('interp-b')).toHaveValue(b.id);
  await page.getByTestId('interp-use-pair').click();
  await expect(page.getByTestId('interp-curve-summary')).toBeVisible();
  await expect(series(page, 'interp-accuracy-chart', 'trained Bezier curve')).toHaveAttribute('data-points', '21');
  const again = await interpFacts(page);
  expect(again.origin).toBe('saved');
  expect(again.ratio).toBe(done.ratio);
  expect(again.bezierMean).toBeCloseTo(done.bezierMean!, 3);
  await snap(page, testInfo, '04-after-reload');
  expect(errors).toEqual([]);
});
