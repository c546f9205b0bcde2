import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, loadServedModel, snap, type PageLab } from './helpers.ts';

// A short capacity sweep on stories260k: 2 PG-19 texts, 1 seed, the ladder up to 8 tokens (4, 5, 8), 150 steps.
const SWEEP_URL = '/?view=experiments&exp_texts=2&exp_max=8&exp_steps=150';

test.use({ trace: 'off' });

type ExperimentPhase = ReturnType<PageLab['store']['getState']>['experiments']['phase'];

/** Resolves once the page's experiment reaches one of `phases` (subscribing to the store, no polling). */
async function waitForExperiment(page: Page, phases: ExperimentPhase[], stage: string | null = null, timeoutMs = 150_000): Promise<void> {
  await page.evaluate(
    ({ phases, stage, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        const { store } = (globalThis as unknown as { __protolab: PageLab }).__protolab;
        const ok = (s: ReturnType<typeof store.getState>) => phases.includes(s.experiments.phase) && (stage === null || s.experiments.progress?.stage === stage);
        if (ok(store.getState())) return resolve();
        const timer = setTimeout(() => {
          stop();
          const x = store.getState().experiments;
          reject(new Error(`the experiment did not reach ${phases.join('/')}${stage ? ` (${stage})` : ''} in ${timeoutMs} ms: ${x.phase}, ${x.message ?? ''}`));
        }, timeoutMs);
        const stop = store.subscribe((s) => {
          if (!ok(s)) return;
          clearTimeout(timer);
          stop();
          resolve();
        });
      }),
    { phases, stage, timeoutMs },
  );
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll, 'page wider than the window').toBeLessThanOrEqual(inner);
}

test.describe('experiments view', () => {
  test('a short capacity sweep runs from the page, pauses and resumes, draws its table and plots, downloads, survives a reload and resumes from storage', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(SWEEP_URL);
    await loadServedModel(page, 'stories260k');
    // The URL restored the view and its settings.
    await expect(page.getByRole('tab', { name: 'Experiments' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('exp-expTexts')).toHaveValue('2');
    await expect(page.getByTestId('exp-expMaxLength')).toHaveValue('8');
    await expect(page.getByTestId('exp-expSteps')).toHaveValue('150');
    await expect(page.getByTestId('exp-start')).toBeEnabled();

    await page.getByTestId('exp-start').click();
    await waitForExperiment(page, ['running'], 'train');
    await page.getByTestId('exp-pause').click();
    await waitForExperiment(page, ['paused']);
    await expect(page.getByTestId('exp-progress')).toContainText('paused');
    await expect(page.getByTestId('exp-progress')).toContainText(/sweep 1\/1 \(capacity, oneshot\)/);
    const atPause = await page.evaluate(() => (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState().experiments.progress!.step);
    await snap(page, testInfo, '01-paused-1280x800');
    // Paused means no training: the step count holds still.
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState().experiments.progress!.step)).toBe(atPause);
    // S takes one batch of steps and stays paused; Space resumes (the shortcuts drive the experiment
    // in this view). Focus off the buttons first: keys typed on a button belong to it.
    await page.getByRole('heading', { level: 1 }).click();
    await page.keyboard.press('s');
    const stepOf = () => page.evaluate(() => (globalThis as unknown as { __protolab: PageLab }).__protolab.store.getState().experiments.progress!.step);
    await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(atPause);
    await waitForExperiment(page, ['paused']);
    await page.keyboard.press('Space');
    await waitForExperiment(page, ['running', 'done']);
    await waitForExperiment(page, ['done', 'failed', 'cancelled']);
    await expect(page.getByTestId('exp-message')).toContainText(/Finished: \d+ attempts? trained, 0 found/);

    // Table 3 style and the Figure 1/3 style plots, drawn from the streamed records.
    const results = page.getByTestId('exp-results');
    const table = page.getByTestId('exp-table-capacity-0');
    await expect(table).toBeVisible();
    await expect(table.locator('tbody tr').first()).toContainText('pg19');
    await expect(table).toContainText('C_tokens max');
    await expect(page.getByTestId('exp-plot-capacity').locator('svg circle')).not.toHaveCount(0);
    await expect(page.getByTestId('exp-plot-capacity')).toContainText('longest prefix reconstructed, tokens');
    await expect(page.getByTestId('exp-plot-hlm')).toBeVisible();
    await page.getByTestId('exp-per-text').locator('summary').click();
    await expect(page.getByTestId('exp-per-text').locator('tbody tr')).toHaveCount(2);
    const records = Number(await results.getAttribute('data-records'));
    expect(records).toBeGreaterThanOrEqual(2);
    await noHorizontalScroll(page);
    await snap(page, testInfo, '02-done-1280x800');

    // Results as JSON lines (what `protolab report` reads).
    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('exp-download').click()]);
    expect(jsonl.suggestedFilename()).toMatch(/\.jsonl$/);
    const lines = readFileSync(await jsonl.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; length: number; source: string; best: number; seconds: number });
    expect(lines).toHaveLength(records);
    for (const r of lines) {
      expect(r.source).toBe('pg19');
      expect([4, 5, 8]).toContain(r.length);
      expect(r.best).toBeGreaterThanOrEqual(0);
      expect(r.seconds).toBeGreaterThan(0);
    }
    expect(new Set(lines.map((r) => r.text)).size).toBe(2);

    // Each plot saves as SVG and as PNG.
    const save = page.getByTestId('exp-plot-capacity-save');
    const [svg] = await Promise.all([page.waitForEvent('download'), save.getByRole('button', { name: 'SVG' }).click()]);
    expect(svg.suggestedFilename()).toBe('protolab-capacity-per-text.svg');
    expect(readFileSync(await svg.path(), 'utf8')).toMatch(/^<\?xml[^]*<svg[^]*Capacity per text/);
    const [png] = await Promise.all([page.waitForEvent('download'), save.getByRole('button', { name: 'PNG' }).click()]);
    expect(png.suggestedFilename()).toBe('protolab-capacity-per-text.png');
    expect(readFileSync(await png.path()).subarray(1, 4).toString('latin1')).toBe('PNG');

    // A 4K screen: the same view, larger, side by side, nothing cut off.
    await page.setViewportSize({ width: 3840, height: 2160 });
    await expect(page.getByTestId('exp-table-capacity-0')).toBeVisible();
    await expect(page.getByTestId('exp-plot-capacity').locator('svg')).toBeVisible();
    await noHorizontalScroll(page);
    const [panel, res] = await Promise.all([page.getByTestId('exp-panel').boundingBox(), results.boundingBox()]);
    expect(res!.x, 'results beside the run panel on a 4K screen').toBeGreaterThan(panel!.x + panel!.width - 1);
    await snap(page, testInfo, '03-done-3840x2160');
    await page.setViewportSize({ width: 1280, height: 800 });

    // A reload keeps the results (IndexedDB), and running the same experiment again trains nothing new.
    await page.reload();
    await loadServedModel(page, 'stories260k');
    await expect(page.getByTestId('exp-results')).toHaveAttribute('data-records', String(records));
    await expect(page.getByTestId('exp-table-capacity-0')).toBeVisible();
    await page.getByTestId('exp-start').click();
    await waitForExperiment(page, ['done', 'failed', 'cancelled']);
    await expect(page.getByTestId('exp-message')).toContainText(`Finished: 0 attempts trained, ${records} found`);
    await expect(page.getByTestId('exp-results')).toHaveAttribute('data-records', String(records));

    // Clearing asks first; declined keeps everything, accepted removes it (also from storage).
    page.once('dialog', (d) => void d.dismiss());
    await page.getByTestId('exp-clear').click();
    await expect(page.getByTestId('exp-results')).toHaveAttribute('data-records', String(records));
    page.once('dialog', (d) => {
      expect(d.message()).toContain(`Delete all ${records} stored experiment records`);
      void d.accept();
    });
    await page.getByTestId('exp-clear').click();
    await expect(page.getByTestId('exp-results')).toHaveAttribute('data-records', '0');
    await page.reload();
    await expect(page.getByTestId('exp-records-count')).toContainText('0 records');
    expect(errors).toEqual([]);
  });

  test('a layout ablation on a pasted text: every layout of Table 1 at a fixed length, table and accuracy plot', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/?view=experiments&exp=layouts&exp_source=files&exp_texts=1&exp_lengths=4&exp_steps=40');
    await loadServedModel(page, 'stories260k');
    await expect(page.getByTestId('exp-start')).toBeDisabled();
    await expect(page.getByTestId('exp-phase')).toContainText('no texts: paste a text or pick .txt files');
    await page.getByTestId('exp-paste').fill('The cat sat on the mat and looked at the dog.');
    await page.getByRole('button', { name: 'Add pasted text' }).click();
    await expect(page.getByTestId('exp-files')).toContainText('pasted-1.txt');
    await page.getByTestId('exp-start').click();
    await waitForExperiment(page, ['done', 'failed', 'cancelled'], null, 120_000);
    await expect(page.getByTestId('exp-message')).toContainText('Finished: 5 attempts trained');
    const table = page.getByTestId('exp-table-layouts-0');
    await expect(table.locator('tbody tr')).toHaveCount(5);
    await expect(table.locator('thead')).toContainText('N = 4');
    await expect(table).toContainText('[e]×N');
    await expect(page.getByTestId('exp-plot-accuracy').locator('svg path')).not.toHaveCount(0);
    await expect(page.getByTestId('exp-plot-accuracy')).toContainText('text length N (tokens, log scale)');
    await snap(page, testInfo, '06-layouts-1280x800');
    expect(errors).toEqual([]);
  });

  test('throughput: one pass against KV-cached autoregressive decoding for the last compressed solution and for its library copy', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/?text=${encodeURIComponent('The cat sat on the mat.')}&steps=30`);
    await loadServedModel(page, 'stories260k');
    await expect(page.getByTestId('compress')).toBeEnabled();
    await page.getByTestId('compress').click();
    await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 90_000 });
    await page.getByRole('tab', { name: 'Experiments' }).click();
    await expect(page).toHaveURL(/view=experiments/);
    await page.getByTestId('tp-repeats').fill('3');
    await page.getByTestId('tp-last').click();
    const table = page.getByTestId('tp-table');
    await expect(table).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId('throughput-panel')).toHaveAttribute('data-state', 'done');
    for (const id of ['tp-oneshot-tps', 'tp-memory-tps']) expect(Number(await page.getByTestId(id).textContent())).toBeGreaterThan(0);
    await expect(table).toContainText('one forward pass');
    await expect(table).toContainText('stand-in vectors');
    await expect(page.getByTestId('tp-speedup')).toHaveText(/^\d+(\.\d)?×$/);
    await expect(page.getByTestId('tp-plot').locator('svg')).toBeVisible();
    await expect(page.getByTestId('tp-plot')).toContainText('tokens');
    // The same solution, kept by the library when the run ended, timed from there: a second row.
    await expect(page.getByTestId('tp-library').locator('option')).not.toHaveCount(0);
    await expect(page.getByTestId('tp-library-time')).toBeEnabled();
    await page.getByTestId('tp-library-time').click();
    await expect(table.locator('tbody tr')).toHaveCount(4, { timeout: 90_000 });
    await expect(page.getByTestId('throughput-panel')).toHaveAttribute('data-state', 'done');
    await snap(page, testInfo, '04-throughput-1280x800');
    expect(errors).toEqual([]);
  });

  test('every view fits 1280x800 and 3840x2160 without sideways scrolling; the compress charts save as SVG with their colours', async ({ page }, testInfo) => {
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/');
    await loadServedModel(page, 'stories260k');
    const tabs = page.getByRole('tab');
    const names = await tabs.allTextContents();
    expect(names).toContain('Experiments');
    for (const [w, h] of [[1280, 800], [3840, 2160]]) {
      await page.setViewportSize({ width: w, height: h });
      for (const name of names) {
        await page.getByRole('tab', { name }).click();
        await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
        await noHorizontalScroll(page);
        await snap(page, testInfo, `05-${name.toLowerCase()}-${w}x${h}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('tab', { name: 'Compress' }).click();
    const save = page.getByTestId('loss-chart-save');
    const [svg] = await Promise.all([page.waitForEvent('download'), save.getByRole('button', { name: 'SVG' }).click()]);
    expect(svg.suggestedFilename()).toBe('loss.svg');
    const text = readFileSync(await svg.path(), 'utf8');
    // Axis labels with units, a legend, and the CSS colours carried inline.
    expect(text).toContain('loss (nats, summed over tokens)');
    expect(text).toContain('best kept');
    expect(text).toMatch(/stroke:rgb\(\d+, \d+, \d+\)/);
    // In the dark theme the saved file (white background) still has the light theme's dark text.
    await page.emulateMedia({ colorScheme: 'dark' });
    const [dark] = await Promise.all([page.waitForEvent('download'), save.getByRole('button', { name: 'SVG' }).click()]);
    const darkText = readFileSync(await dark.path(), 'utf8');
    expect(darkText).toContain('fill:rgb(104, 112, 134)');
    expect(darkText).not.toContain('fill:rgb(152, 160, 179)');
    expect(errors).toEqual([]);
  });
});
