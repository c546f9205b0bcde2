import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protolab, errorLine } from '../helpers/cli.ts';
import { FIXTURES, STORIES } from '../helpers/fixtures.ts';
import { testGpu } from '../helpers/gpu.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import type { Model } from '../../src/model/model.ts';
import { decodeUniversalMBytes, encodeUniversalM, trainUniversalM, universalMProblem } from '../../src/prototokens/universal-m.ts';
import { decodeSolutionBytes } from '../../src/prototokens/solution-file.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { encodeSafetensors } from '../../src/model/safetensors.ts';

// Issue 19 §2: one m trained over several texts, then reused (frozen or as a start) on a text it
// never saw. stories260k, random GloVe-word texts of 6 tokens, lr 0.05: the training texts are
// solved with one m in about 100 steps, the unseen text with the frozen m in about 200.
describe('a universal m', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-um-'));
  const file = join(dir, 'm.safetensors');
  const UNSEEN = 'Once upon a time there was a cat';
  let trained: { texts: { id: string; correct: number }[]; accuracy: number; length: number; out: string };

  beforeAll(() => {
    const r = protolab(['universal-m', '--model', STORIES, '--source', 'random', '--texts', '3', '--length', '6', '--steps', '400', '--lr', '0.05', '--out', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    trained = JSON.parse(r.stdout);
  });

  it('universal-m trains one m that reproduces every training text with its own e, and saves it for the model', async () => {
    expect(trained.texts.map((t) => t.correct)).toEqual([6, 6, 6]);
    expect(trained.accuracy).toBe(1);
    expect(trained.out).toBe(file);
    const gpu = await testGpu();
    const model = await loadModel(gpu, nodeFolderSource(STORIES));
    const u = await decodeUniversalMBytes(new Uint8Array(readFileSync(file)), file, model);
    expect(u.m).toHaveLength(64);
    expect(u.meta).toMatchObject({ length: 6, source: 'random', textIds: trained.texts.map((t) => t.id), lr: 0.05, accuracy: 1, modelFingerprint: model.fingerprint });
    model.destroy();
  });

  it('compress --m FILE --freeze-m reproduces an unseen text with only e trained: the saved m is the file m, bit for bit', async () => {
    const out = join(dir, 'frozen.safetensors');
    const r = protolab(['compress', '--model', STORIES, '--text', UNSEEN, '--m', file, '--freeze-m', '--steps', '1500', '--lr', '0.05', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c).toMatchObject({ accuracy: 1, init: 'universal-m frozen', stopped_by: 'solved' });
    const gpu = await testGpu();
    const model = await loadModel(gpu, nodeFolderSource(STORIES));
    const u = await decodeUniversalMBytes(new Uint8Array(readFileSync(file)), file, model);
    const sol = await decodeSolutionBytes(new Uint8Array(readFileSync(out)), out);
    expect(Array.from(sol.m)).toEqual(Array.from(u.m));
    expect(sol.meta.init).toBe('universal-m frozen');
    model.destroy();
  });

  it('compress --m FILE without --freeze-m starts m there and trains it', () => {
    const out = join(dir, 'start.safetensors');
    const r = protolab(['compress', '--model', STORIES, '--text', UNSEEN, '--m', file, '--steps', '1500', '--lr', '0.05', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accuracy: 1, init: 'universal-m' });
  });

  it('refuses, in one line and before any work: --freeze-m without --m, --m with the memory method, another model, a file that is no universal m', () => {
    // A safetensors file of another kind (a solution would do; this needs no training).
    const solution = join(dir, 'other.safetensors');
    writeFileSync(solution, encodeSafetensors([{ name: 'x', shape: [2], data: new Float32Array(2) }], { format: 'something-else' }));
    const notM = join(dir, 'plain.txt');
    writeFileSync(notM, 'not a safetensors file');
    const cases: [string[], RegExp][] = [
      [['compress', '--model', STORIES, '--text', 'hi', '--freeze-m'], /--freeze-m keeps the m of --m FILE fixed; give --m FILE/],
      [['compress', '--model', STORIES, '--text', 'hi', '--m', file, '--method', 'memory'], /--m FILE is a proto-token m; --method memory has none/],
      [['compress', '--model', `${FIXTURES}llama-gqa-untied`, '--text', 'hi', '--m', file], /This universal m has width 64 .* has width 96/],
      [['compress', '--model', STORIES, '--text', 'hi', '--m', solution], /is not a universal m .* make one with protolab universal-m/],
      [['compress', '--model', STORIES, '--text', 'hi', '--m', notM], /not a readable universal-m file/],
      [['universal-m', '--model', STORIES, '--source', 'random', '--texts', '2', '--length', '4'], /--out FILE is required/],
      [['universal-m', '--model', STORIES, '--source', 'random', '--texts', '0', '--length', '4', '--out', join(dir, 'x.safetensors')], /--texts must be a positive whole number/],
      [['universal-m', '--model', STORIES, '--source', 'random', '--texts', '2', '--length', '4', '--out', solution], /is not a universal m file of this lab; it is left untouched/],
      [['universal-m', '--model', STORIES, '--source', 'random', '--texts', '2', '--length', '4', '--out', file], /already holds a universal m; add --force/],
      [['sweep', '--model', STORIES, '--source', 'random', '--texts', '1', '--seeds', '1', '--freeze-m', '--out', join(dir, 'r.jsonl')], /--freeze-m keeps the m of --m FILE fixed/],
      [['sweep', '--model', STORIES, '--source', 'random', '--texts', '1', '--seeds', '1', '--m', file, '--progressive', '--out', join(dir, 'r.jsonl')], /--m FILE gives every text the one universal m: it goes with the one-shot method alone, without --progressive or --share/],
    ];
    for (const [args, msg] of cases) {
      const r = protolab(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(errorLine(r)).toMatch(msg);
      expect(errorLine(r).split('\n')).toHaveLength(1);
    }
  });
});

describe('trainUniversalM', () => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
  });

  it('keeps the final m, scores every text with it and its own best e, and the file round-trips', async () => {
    const texts = [
      [403, 407, 261, 378],
      [286, 261, 280, 294],
    ];
    const r = await trainUniversalM(model, texts, { ...PAPER_SETTINGS, lr: 0.05, maxSteps: 300 });
    expect(r.correct).toEqual([4, 4]);
    const bytes = encodeUniversalM({
      m: r.m,
      meta: { model: model.id, modelFingerprint: model.fingerprint, hidden: 64, length: 4, source: 'test', textIds: ['a', 'b'], steps: r.steps, seed: 0, lr: 0.05, accuracy: 1, createdAt: 'now', labVersion: 'x' },
    });
    const back = await decodeUniversalMBytes(bytes, 'm.safetensors', model);
    expect(Array.from(back.m)).toEqual(Array.from(r.m));
    expect(back.meta.textIds).toEqual(['a', 'b']);
  });

  it('a reused m is the fixed row (frozen) or the start of the trainable m row (not frozen)', () => {
    const m = Float32Array.from({ length: 64 }, (_, i) => i);
    const frozen = universalMProblem([1, 2, 3], 0, m, true);
    const start = universalMProblem([1, 2, 3], 0, m, false);
    expect(frozen.fixed.get(frozen.mRow[0])).toBe(m);
    expect(start.fixed.size).toBe(0);
    expect(start.initial?.get(start.mRow[0])).toBe(m);
  });
});
