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
    await expect(page.getByTestId(id).locator('path.bin-means')).toHaveCount(2);
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

  // Keep the 6 solutions in the library (tagged by context), then compare them there: two context blocks again.
  await page.getByTestId('geo-keep').click();
  await expect(page.getByTestId('geo-keep-status')).toContainText('6 solutions kept in the library');
  const lib = page.getByTestId('geo-library');
  await expect(lib.getByTestId('geo-library-pick')).toHaveCount(6);
  for (const box of await lib.getByTestId('geo-library-pick').all()) await box.check();
  await lib.getByTestId('geo-library-compare').click();
  await expect(page.getByTestId('geo-library-heatmap').locator('rect.cell')).toHaveCount(36);
  await expect(page.getByTestId('geo-library-heatmap').locator('line.context-boundary')).toHaveCount(2);
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('library solutions: a heatmap of any picked solutions, grouped by text and by a context tag', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  // Three short runs from the compress view: text A with seeds 1 and 2, text B with seed 1.
  await page.goto('/?steps=40&report=10');
  await loadServedModel(page, 'stories260k');
  const runOnce = async (text: string, seed: number) => {
    await page.evaluate(
      ({ text, seed }) => (globalThis as unknown as { __protolab: PageLab }).__protolab.actions.setSettings({ text, seed }),
      { text, seed },
    );
    await expect(page.getByTestId('compress')).toBeEnabled();
    const before = await page.evaluate(() => (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState().library.records.length);
    await page.getByTestId('compress').click();
    // The finished run lands in the library.
    await page.waitForFunction((n) => (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState().library.records.length > n, before, { timeout: 90_000 });
  };
  await runOnce('Tom had a big red ball.', 1);
  await runOnce('Tom had a big red ball.', 2);
  await runOnce('Lily saw a cat in the park.', 1);
  // Both texts tagged as coming from one context.
  await page.evaluate(async () => {
    const { store, actions } = (globalThis as unknown as { __protolab: PageLab }).__protolab;
    for (const r of store.getState().library.records) await actions.libraryTag(r.id, ['context:story']);
  });

  await page.getByRole('tab', { name: 'Geometry' }).click();
  const panel = page.getByTestId('geo-library');
  await expect(panel.getByTestId('geo-library-pick')).toHaveCount(3);
  await expect(panel.getByTestId('geo-library-compare')).toBeDisabled();
  for (const box of await panel.getByTestId('geo-library-pick').all()) await box.check();
  await panel.getByTestId('geo-library-compare').click();
  const heat = page.getByTestId('geo-library-heatmap');
  await expect(heat.locator('rect.cell')).toHaveCount(9);
  // One context block (no thick line inside), two texts (one thin line each way).
  await expect(heat.locator('line.context-boundary')).toHaveCount(0);
  await expect(heat.locator('line.text-boundary')).toHaveCount(2);
  await expect(heat.locator('.axis.outer text')).toHaveText(['context story']);
  const diag = await heat.locator('rect.cell').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-value'))));
  expect([diag[0], diag[4], diag[8]]).toEqual([0, 0, 0]);
  expect(diag.filter((v, i) => i % 4 !== 0).every((v) => v > 0 && v <= 2)).toBe(true);
  await snap(page, testInfo, '04-library-heatmap');
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('paper-sized results draw as images inside the SVG (no element per cell or pair)', async ({ page }, testInfo) => {
  const errors = collectPageErrors(page);
  await page.goto('/?view=geometry');
  // 210 texts from 21 contexts, one solution each: 44,100 heatmap cells and 21,945 text pairs (both past the raster limit).
  await page.evaluate(() => {
    const { store } = (globalThis as unknown as { __protolab: PageLab }).__protolab;
    const n = 210;
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const texts = Array.from({ length: n }, (_, i) => ({ id: `t${i}`, context: Math.floor(i / 10), contextId: `c${Math.floor(i / 10)}`, j: i % 10, tokens: [1, 2, 3], text: `text ${i}`, contextText: '' }));
    const solutions = texts.map((_, i) => ({ text: i, restart: 0, seed: i, accuracy: 1 }));
    const labels = texts.map((t) => ({ textId: t.id, contextId: t.contextId }));
    const d = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i][j] = d[j][i] = 0.5 + rand();
    const pairs = [];
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push({ a, b, kind: texts[a].contextId === texts[b].contextId ? ('same-context' as const) : ('different-context' as const), tfidf: rand(), semantic: rand(), solution: d[a][b] });
    const settings = store.getState().geometry.result?.settings ?? { contexts: 21, continuations: 10, restarts: 1, length: 3, steps: 1, seed: 0, scanPoints: 2, embedder: 'model' as const, source: 'pg19' };
    store.setState({
      geometry: {
        ...store.getState().geometry,
        phase: 'done',
        stoppedBy: 'done',
        seconds: 1,
        result: { settings, texts, solutions, labels, distances: { em: d, e: d, m: d }, tfidf: null, semantic: null, semanticInfo: { kind: 'model-hidden', label: 'synthetic', reason: 'a drawing test' }, pairs, interpolation: [], interpolationTotal: 0 },
      },
    });
  });
  const heat = page.getByTestId('geo-heatmap');
  await expect(heat.locator('image.raster')).toHaveCount(1);
  await expect(heat.locator('rect.cell')).toHaveCount(0);
  await expect(heat.locator('line.context-boundary')).toHaveCount(2 * 20);
  await expect(page.getByTestId('geo-fig5-tfidf').locator('image.raster')).toHaveCount(2);
  await expect(page.getByTestId('geo-fig5-tfidf').locator('circle.point')).toHaveCount(0);
  await expect(page.getByTestId('geo-fig6-box').locator('g.box')).toHaveCount(2);
  await snap(page, testInfo, '05-paper-size');
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
