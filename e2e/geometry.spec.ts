import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, snap, type PageLab } from './helpers.ts';

// The geometry experiment at a small size on stories260k, run from the page: K = 2 PG-19 contexts
// (served under /data/), J = 2 continuations each, R = 2 seeds for the last one: 6 solutions of
// 6-token texts, 40 steps, 5 points along tau. The URL carries every setting.
const QUERY = 'view=geometry&geo_k=2&geo_j=2&geo_r=2&geo_len=6&geo_steps=40&geo_scan=5&geo_seed=3';

/** Resolves once the page's geometry experiment reaches `phase`, subscribing to the page's store. */
async function waitForGeometry(page: Page, phase: string, timeoutMs = 150_000): Promise<void> {
  await page.evaluate(
    ({ phase, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        const { store } = (globalThis as unknown as { __protolab: PageLab }).__protolab;
        const ok = () => store.getState().geometry.phase === phase;
        if (ok()) return resolve();
        const timer = setTimeout(() => {
          stop();
          const g = store.getState().geometry;
          reject(new Error(`the experiment did not reach ${phase} in ${timeoutMs} ms (phase ${g.phase}, ${g.progress?.phase ?? '-'}, error ${g.error ?? '-'})`));
        }, timeoutMs);
        const stop = store.subscribe(() => {
          if (!ok()) return;
          clearTimeout(timer);
          stop();
          resolve();
        });
      }),
    { phase, timeoutMs },
  );
}

test.use({ trace: 'off' });

test('geometry experiment at a small size: heatmap, Fig. 6 distributions, Fig. 5 scatters, Fig. 7 matrix', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await page.goto(`/?${QUERY}`);
  await expect(page.getByRole('tab', { name: 'Geometry' })).toHaveAttribute('aria-selected', 'true');
  await loadServedModel(page, 'stories260k');
  await expect(page.getByTestId('geo-geoContexts')).toHaveValue('2');
  await expect(page.getByTestId('geo-run')).toHaveText('Run experiment (6 solutions)');
  await expect(page.getByTestId('geo-run')).toBeEnabled();

  await page.getByTestId('geo-run').click();
  await expect(page.getByTestId('geo-progress')).toBeVisible();
  await expect(page.getByTestId('geo-progress')).toContainText(/phase \d\/5/);
  await snap(page, testInfo, '01-running');
  await waitForGeometry(page, 'done');
  await expect(page.getByTestId('geo-finished')).toContainText('Finished');
  await snap(page, testInfo, '02-done');

  const r = await page.evaluate(() => (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState().geometry.result!);
  expect(r.texts).toHaveLength(4);
  expect(r.solutions).toHaveLength(6);
  expect(r.interpolation).toHaveLength(2);
  expect(r.distances!.em.flat().every((d) => Number.isFinite(d))).toBe(true);
  await expect(page.getByTestId('geo-summary')).toContainText('4 texts from 2 contexts; 6 solutions');

  // Solution heatmap: 6 x 6 cells, two context blocks, a colour bar with its unit, save buttons.
  const heat = page.getByTestId('geo-heatmap');
  await expect(heat.locator('rect.cell')).toHaveCount(36);
  await expect(heat.locator('line.context-boundary')).toHaveCount(2);
  await expect(heat.locator('.legend-title')).toHaveText('cosine distance (1 − cos)');
  await expect(heat.getByRole('button', { name: 'SVG' })).toBeVisible();
  await expect(heat.getByRole('button', { name: 'PNG' })).toBeVisible();

  // Fig. 6: a box per pairing (2 same-text, 4 same-context, 9 different-context pairs) and histograms.
  const box = page.getByTestId('geo-fig6-box');
  await expect(box.locator('g.box')).toHaveCount(3);
  expect(await box.locator('g.box').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-kind'), g.getAttribute('data-n')]))).toEqual([
    ['same-text', '2'],
    ['same-context', '4'],
    ['different-context', '9'],
  ]);
  await expect(box.locator('.y-title')).toContainText('cosine distance');
  await expect(box.locator('.legend-item')).toHaveCount(3);
  await expect(page.getByTestId('geo-fig6-hist').locator('rect.bar').first()).toBeVisible();

  // Fig. 5: one point per pair of different texts (6), for both text measures; the semantic one says what it used.
  for (const id of ['geo-fig5-tfidf', 'geo-fig5-semantic']) {
    await expect(page.getByTestId(id).locator('circle.point')).toHaveCount(6);
    await expect(page.getByTestId(id).locator('.legend-item')).toHaveCount(2);
    await expect(page.getByTestId(id).getByRole('button', { name: 'SVG' })).toBeVisible();
  }
  await expect(page.getByTestId('geo-semantic-info')).toContainText('stories260k: mean-pooled final hidden states (not MiniLM)');
  await expect(page.getByTestId('geo-semantic-info')).toContainText('Why:');

  // Fig. 7: the 4 seeded solutions in two blocks of 2: diagonal + one pair each = 8 cells with values in [0, 1].
  const fig7 = page.getByTestId('geo-fig7');
  await expect(fig7.locator('rect.cell')).toHaveCount(8);
  const values = await fig7.locator('rect.cell').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-value'))));
  expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);

  // Comparing m only redraws the heatmap from the m distances.
  await page.getByTestId('geo-part').selectOption('m');
  await expect(heat).toContainText('m only');
  await expect(page).toHaveURL(/geo_part=m/);
  await snap(page, testInfo, '03-m-only');
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
