/**
 * Issue 21's peers (bench/peers/): each library's proto-token step must first reproduce the
 * float64 golden loss and gradients of stories260k (assets/fixtures/stories260k/golden.json) within
 * the f32 tolerances of bench/peers/golden-check.ts before its timings mean anything. One test per
 * peer, so a peer that cannot match fails by name with its reason; no timing is asserted.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { GoldenProto } from '../bench/peers/golden-check.ts';
import { SIDES } from '../bench/peers/sides-list.ts';

const golden = (JSON.parse(readFileSync('assets/fixtures/stories260k/golden.json', 'utf8')) as { prototoken: GoldenProto }).prototoken;

test.describe('peers match the golden stories260k step', () => {
  for (const side of SIDES.filter((s) => s !== 'ours')) {
    test(`${side}: loss and gradients of e and m at N = ${golden.N}`, async ({ page }, testInfo) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto('/bench/peers/index.html');
      await page.waitForFunction(() => window.protolabPeers !== undefined, null, { timeout: 120_000 });
      const verdict = await page.evaluate(([s, g]) => window.protolabPeers!.check(s, g), [side, golden] as const);
      testInfo.annotations.push({ type: 'verdict', description: JSON.stringify(verdict) });
      expect(verdict, 'the peer exposes its loss and gradients').not.toBeNull();
      expect(verdict!.reason).toBe('');
      expect(verdict!.ok).toBe(true);
      expect(errors).toEqual([]);
    });
  }
});
