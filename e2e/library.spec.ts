import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { decodeSolutionBytes, encodeSolution } from '../src/prototokens/solution-file.ts';
import { collectPageErrors, loadServedModel, snap, waitForRun } from './helpers.ts';

// 8 tokens of stories260k: solved in well under the 400-step budget.
const TEXT = 'The cat sat on the mat.';

/** The page with the lab's settings in its URL (the steps budget, the text, the view). */
async function openWith(page: Page, query: Record<string, string>): Promise<void> {
  await page.goto(`/?${new URLSearchParams({ model: 'stories260k', ...query })}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Proto-token Lab');
  await loadServedModel(page, 'stories260k');
}

const rows = (page: Page) => page.getByTestId('library-row');

/** Interrupted runs kept in the page's IndexedDB (read directly, as a crash would leave them). */
function storedCheckpoints(page: Page): Promise<{ id: string; step: number }[]> {
  return page.evaluate(
    () =>
      new Promise<{ id: string; step: number }[]>((resolve, reject) => {
        const open = indexedDB.open('protolab');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('checkpoints')) return resolve([]);
          const req = db.transaction('checkpoints').objectStore('checkpoints').getAll();
          req.onsuccess = () => {
            resolve((req.result as { id: string; step: number }[]).map(({ id, step }) => ({ id, step })));
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

test.use({ trace: 'off' });

test.describe('solution library', () => {
  test('keeps a finished run across a reload; export, import, damaged and foreign files, zip, delete with undo', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await openWith(page, { steps: '400', text: TEXT });
    await expect(page.getByTestId('compress')).toBeEnabled();
    const N = Number(await page.getByTestId('token-count').getAttribute('data-count'));
    await page.getByTestId('compress').click();
    await waitForRun(page, 'done');
    await expect(page.getByTestId('decoded-text')).toHaveText(TEXT);

    // The finished run is in the library without anyone saving it.
    await page.getByRole('tab', { name: 'Library' }).click();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first().getByTestId('library-text')).toHaveText(TEXT);
    await expect(rows(page).first().getByTestId('library-accuracy')).toHaveText('100 %');
    await expect(rows(page).first()).toHaveAttribute('data-source', 'run');
    await snap(page, testInfo, '01-library-after-run');

    // A reload loses nothing (the URL keeps the view).
    // The URL follows the settings after a short debounce.
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('library');
    await page.reload();
    await loadServedModel(page, 'stories260k');
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first().getByTestId('library-text')).toHaveText(TEXT);
    await snap(page, testInfo, '02-after-reload');

    // Export one as .safetensors.
    const [download] = await Promise.all([page.waitForEvent('download'), rows(page).first().getByTestId('library-export-one').click()]);
    expect(download.suggestedFilename()).toBe(`stories260k-${N}tok-seed0.safetensors`);
    const saved = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(saved);

    // A damaged copy and a copy claiming another model, next to the good file.
    const bytes = readFileSync(saved);
    const damaged = testInfo.outputPath('damaged.safetensors');
    writeFileSync(damaged, bytes.subarray(0, 60));
    const solution = await decodeSolutionBytes(new Uint8Array(bytes), 'saved');
    const foreign = testInfo.outputPath('foreign.safetensors');
    writeFileSync(foreign, encodeSolution({ ...solution, meta: { ...solution.meta, model: 'pythia-70m', modelFingerprint: 'f'.repeat(64) } }));

    await page.getByTestId('library-file').setInputFiles([saved, damaged, foreign]);
    const outcomes = page.getByTestId('library-imports').locator('li');
    await expect(outcomes).toHaveCount(3);
    await expect(outcomes.nth(0)).toHaveAttribute('data-ok', 'true');
    await expect(outcomes.nth(0)).toContainText(`decodes to “${TEXT}” (${N} / ${N} tokens)`);
    await expect(outcomes.nth(1)).toHaveAttribute('data-ok', 'false');
    await expect(outcomes.nth(1).getByTestId('import-reason')).toContainText('damaged.safetensors is not a readable solution file');
    await expect(outcomes.nth(2)).toHaveAttribute('data-ok', 'false');
    await expect(outcomes.nth(2).getByTestId('import-reason')).toContainText('was made with pythia-70m');
    await expect(outcomes.nth(2).getByTestId('import-reason')).toContainText('Load the model it was made with');
    await expect(rows(page)).toHaveCount(2);
    await snap(page, testInfo, '03-imported-and-refused');

    // The imported copy decodes, in one forward pass, to the same text.
    const imported = page.locator('[data-testid="library-row"][data-source="import"]');
    await expect(imported).toHaveCount(1);
    await imported.getByTestId('library-decode').click();
    await expect(imported.getByTestId('library-decoded-text')).toHaveText(TEXT);

    // Tags and search.
    await imported.getByTestId('library-tags').fill('round trip, Keep');
    await imported.getByTestId('library-tags').press('Enter');
    await expect(imported.getByTestId('library-tags')).toHaveValue('round trip, keep');
    await page.getByTestId('library-search').fill('tag:keep');
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toHaveAttribute('data-source', 'import');
    await page.getByTestId('library-search').fill('');
    await expect(rows(page)).toHaveCount(2);

    // Both as one zip; the zip imports back.
    await page.getByTestId('library-select-all').check();
    await expect(page.getByTestId('library-count')).toContainText('2 selected');
    const [zipDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('library-export').click()]);
    expect(zipDownload.suggestedFilename()).toBe('protolab-solutions-2.zip');
    const zip = testInfo.outputPath('protolab-solutions-2.zip');
    await zipDownload.saveAs(zip);
    await page.getByTestId('library-file').setInputFiles(zip);
    await expect(outcomes).toHaveCount(2);
    await expect(page.getByTestId('library-imports').locator('li[data-ok="true"]')).toHaveCount(2);
    await expect(rows(page)).toHaveCount(4);

    // Dropping files works like picking them: the good file is kept, the damaged one refused.
    const dropped = await page.evaluateHandle(
      ({ good, bad }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(good)], 'dropped.safetensors'));
        dt.items.add(new File([new Uint8Array(bad)], 'dropped-damaged.safetensors'));
        return dt;
      },
      { good: [...bytes], bad: [...bytes.subarray(0, 60)] },
    );
    await page.getByTestId('library-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await expect(outcomes).toHaveCount(2);
    await expect(outcomes.nth(0)).toHaveAttribute('data-ok', 'true');
    await expect(outcomes.nth(1).getByTestId('import-reason')).toContainText('dropped-damaged.safetensors is not a readable solution file');
    await expect(rows(page)).toHaveCount(5);

    // Delete everything, then undo.
    await page.getByTestId('library-select-all').check();
    await page.getByTestId('library-delete').click();
    await expect(page.getByTestId('library-empty')).toBeVisible();
    await expect(page.getByTestId('library-undo-notice')).toContainText('Deleted 5 solutions');
    await snap(page, testInfo, '04-deleted');
    await page.getByTestId('library-undo').click();
    await expect(rows(page)).toHaveCount(5);
    await page.reload();
    await expect(rows(page)).toHaveCount(5);
    await snap(page, testInfo, '05-undone-after-reload');
    expect(errors).toEqual([]);
  });

  test('a run interrupted by a reload is offered for resuming and continues from its checkpoint', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    // A long text and a large budget: still running when the page goes away.
    await openWith(page, { steps: '20000', text: 'Once upon a time there was a little girl named Lily who loved to play outside in the park with her dog.' });
    await page.getByTestId('compress').click();
    await waitForRun(page, 'running', 20);
    // The worker checkpoints every 3 s: wait for one to be kept.
    await expect.poll(async () => (await storedCheckpoints(page)).length, { timeout: 30_000 }).toBe(1);
    // Another tab of the lab sees the kept checkpoint but does not offer it: its run is alive here.
    const other = await page.context().newPage();
    await other.goto('/?view=library');
    await expect(other.getByTestId('library-panel')).toHaveAttribute('data-state', 'ready');
    await expect(other.getByTestId('resume-offer')).toHaveCount(0);
    await other.close();
    await page.reload();
    await loadServedModel(page, 'stories260k');

    const offer = page.getByTestId('resume-offer');
    await expect(offer).toBeVisible();
    await expect(page.getByTestId('resume-item')).toHaveCount(1);
    const [kept] = await storedCheckpoints(page);
    expect(kept.step).toBeGreaterThan(0);
    await expect(page.getByTestId('resume-item')).toContainText(`step ${kept.step} of 20000`);
    await snap(page, testInfo, '01-resume-offered');

    await page.getByTestId('resume-run').click();
    await expect(offer).toBeHidden();
    // It goes on from the checkpoint's step, not from 0.
    await waitForRun(page, 'running', kept.step + 10);
    const firstPoint = await page.evaluate(() => (globalThis as unknown as { __protolab: { store: { getState(): { run: { points: { step: number }[] } } } } }).__protolab.store.getState().run.points[0].step);
    expect(firstPoint).toBeGreaterThan(kept.step);
    await snap(page, testInfo, '02-resumed');
    await page.getByTestId('stop').click();
    await waitForRun(page, 'done');

    // Stopped: kept in the library, and no longer offered.
    await page.getByRole('tab', { name: 'Library' }).click();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toContainText('stopped');
    await expect.poll(async () => (await storedCheckpoints(page)).length).toBe(0);
    await expect(page).toHaveURL(/view=library/);
    await page.reload();
    await expect(rows(page)).toHaveCount(1);
    await expect(page.getByTestId('resume-offer')).toHaveCount(0);
    await snap(page, testInfo, '03-stopped-run-kept');
    expect(errors).toEqual([]);
  });

  // Issue 15: memory-token runs are the same trainer core in the page, so they checkpoint and resume too.
  test('a memory-token run interrupted by a reload resumes from its checkpoint; its solution is offered for saving', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await openWith(page, { steps: '20000', method: 'memory', k: '2', text: 'Once upon a time there was a little girl named Lily who loved to play outside in the park with her dog.' });
    await expect(page.getByTestId('setting-method')).toHaveValue('memory');
    await expect(page.getByTestId('setting-memoryTokens')).toHaveValue('2');
    await expect(page.getByTestId('setting-layout')).toHaveCount(0); // memory tokens have no layout
    await page.getByTestId('compress').click();
    await waitForRun(page, 'running', 20);
    await expect.poll(async () => (await storedCheckpoints(page)).length, { timeout: 30_000 }).toBe(1);
    await page.reload();
    await loadServedModel(page, 'stories260k');

    const [kept] = await storedCheckpoints(page);
    expect(kept.step).toBeGreaterThan(0);
    await expect(page.getByTestId('resume-item')).toContainText(`(2 memory tokens): step ${kept.step} of 20000`);
    await page.getByTestId('resume-run').click();
    await waitForRun(page, 'running', kept.step + 10);
    const firstPoint = await page.evaluate(() => (globalThis as unknown as { __protolab: { store: { getState(): { run: { points: { step: number }[] } } } } }).__protolab.store.getState().run.points[0].step);
    expect(firstPoint).toBeGreaterThan(kept.step);
    await expect(page.getByTestId('setting-method')).toHaveValue('memory');
    await snap(page, testInfo, '01-memory-run-resumed');
    await page.getByTestId('stop').click();
    await waitForRun(page, 'done');

    await expect(page.getByTestId('memory-result')).toContainText('decoded from the memory alone');
    await expect(page.getByTestId('save')).toBeEnabled();
    await expect(page.getByTestId('save')).toHaveAttribute('title', /-memory2\.safetensors$/);
    await expect.poll(async () => (await storedCheckpoints(page)).length).toBe(0);
    await page.getByRole('tab', { name: 'Library' }).click();
    await expect(rows(page)).toHaveCount(0);
    await snap(page, testInfo, '02-memory-run-done');
    expect(errors).toEqual([]);
  });

  // Issue 18: a second tab saw library changes only after a reload.
  test('a second open tab shows a run kept in the first, and its deletion, without a reload', async ({ page }) => {
    const errors = collectPageErrors(page);
    const other = await page.context().newPage();
    await other.goto('/?view=library');
    await expect(other.getByTestId('library-panel')).toHaveAttribute('data-state', 'ready');
    await expect(rows(other)).toHaveCount(0);

    await openWith(page, { steps: '400', text: TEXT });
    await page.getByTestId('compress').click();
    await waitForRun(page, 'done');
    await expect(rows(other)).toHaveCount(1);
    await expect(rows(other).first()).toContainText('The cat sat on the mat.');

    await page.getByRole('tab', { name: 'Library' }).click();
    await expect(rows(page)).toHaveCount(1);
    await page.getByTestId('library-select-all').check();
    await page.getByTestId('library-delete').click();
    await expect(rows(page)).toHaveCount(0);
    await expect(rows(other)).toHaveCount(0);
    await other.close();
    expect(errors).toEqual([]);
  });
});
