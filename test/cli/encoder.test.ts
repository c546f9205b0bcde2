/**
 * protolab encoder train / eval and compress --encoder, as a user runs them (issue 19 §3):
 * stories260k, PG-19 windows of 8 tokens, a small MLP trained for a few steps.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protolab, errorLine } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { testGpu } from '../helpers/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { decodeEncoderBytes } from '../../src/encoder/file.ts';
import { decodeSolutionBytes } from '../../src/prototokens/solution-file.ts';

describe('protolab encoder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-enc-'));
  const file = join(dir, 'enc.safetensors');
  let trained: { length: number; texts: number; held_out: number; steps: number; train_accuracy: number; held_out_accuracy: number; curve: unknown[]; out: string };

  beforeAll(() => {
    const r = protolab(['encoder', 'train', '--model', STORIES, '--source', 'pg19-windows', '--texts', '48', '--held-out', '8', '--length', '8', '--steps', '20', '--batch', '8', '--hidden-width', '16', '--out', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    trained = JSON.parse(r.stdout);
  }, 120_000);

  it('train writes an encoder file for the model, with its data and accuracy in the metadata', async () => {
    expect(trained).toMatchObject({ length: 8, texts: 48, held_out: 8, steps: 20, out: file });
    expect(trained.curve).toHaveLength(2);
    const model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
    const enc = await decodeEncoderBytes(new Uint8Array(readFileSync(file)), file, model);
    expect(enc.features).toEqual({ layer: 5, pool: 'flat', length: 8, bos: 1 });
    expect(enc.shape).toEqual({ inWidth: 8 * 64, hiddenWidth: 16, outWidth: 64 });
    expect(enc.meta).toMatchObject({ source: 'pg19-windows', texts: 48, heldOut: 8, steps: 20, batch: 8, heldOutAccuracy: trained.held_out_accuracy, modelFingerprint: model.fingerprint });
    model.destroy();
  });

  it('eval gives the zero-shot accuracy per text and, with --warm-start, the steps from the prediction and from draws', () => {
    const r = protolab(['encoder', 'eval', '--model', STORIES, '--encoder', file, '--source', 'pg19', '--texts', '2', '--warm-start', '--seeds', '1', '--steps', '200', '--lr', '0.1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.texts).toHaveLength(2);
    expect(e.zero_shot.mean).toBeCloseTo((e.texts[0].correct + e.texts[1].correct) / 16, 12);
    expect(e.warm_start).toMatchObject({ budget: 200, seeds: 1 });
    expect(e.warm_start.encoder.items).toBe(2);
    expect(e.warm_start.normal.items).toBe(2);
    for (const t of e.texts) expect(t.steps_normal).toHaveLength(1);
  }, 120_000);

  it('compress --encoder starts from the prediction and reports init and initial_accuracy, in its JSON and its solution file', async () => {
    const sol = join(dir, 'sol.safetensors');
    const r = protolab(['compress', '--model', STORIES, '--encoder', file, '--text', 'Once upon a time there was a little girl named Lily', '--max-tokens', '8', '--steps', '300', '--lr', '0.1', '--out', sol, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    const saved = (await decodeSolutionBytes(new Uint8Array(readFileSync(sol)), sol)).meta;
    expect(saved).toMatchObject({ init: 'encoder', initialAccuracy: c.initial_accuracy });
    expect(c.init).toBe('encoder');
    expect(c.tokens).toHaveLength(8);
    expect(c.initial_accuracy).toBeGreaterThanOrEqual(0);
    expect(c.initial_accuracy).toBeLessThanOrEqual(1);
    expect(c.accuracy).toBe(1);
  }, 60_000);

  it('refuses what cannot work, with one line saying what to do', () => {
    const long = protolab(['compress', '--model', STORIES, '--encoder', file, '--text', 'Once upon a time there was a little girl named Lily who liked cats']);
    expect(long.code).not.toBe(0);
    expect(errorLine(long)).toMatch(/This encoder was trained on texts of 8 tokens and the text has \d+; give 8 tokens \(--max-tokens 8\) or train an encoder for \d+/);
    const both = protolab(['compress', '--model', STORIES, '--encoder', file, '--m', file, '--text', 'a']);
    expect(errorLine(both)).toMatch(/--encoder FILE brings its own m; leave out --m/);
    const sub = protolab(['encoder', 'fit']);
    expect(errorLine(sub)).toMatch(/protolab encoder needs train or eval, got "fit"/);
    const noOut = protolab(['encoder', 'train', '--model', STORIES, '--source', 'random', '--texts', '4', '--length', '4']);
    expect(errorLine(noOut)).toMatch(/--out FILE is required/);
    const pool = protolab(['encoder', 'train', '--model', STORIES, '--source', 'random', '--texts', '4', '--length', '4', '--pool', 'max', '--out', join(dir, 'x.safetensors')]);
    expect(errorLine(pool)).toMatch(/--pool must be one of mean, last, mean-last, flat, got "max"/);
  }, 60_000);
});
