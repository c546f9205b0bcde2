import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { pg19Source } from '../../src/datasets/node/sources.ts';
import { runGeometryExperiment, type GeometryRunInput } from '../../src/geometry/jobs/experiment.ts';
import { DEFAULT_GEOMETRY, geometryProblems, type GeometryPartial, type GeometryProgress, type GeometrySettings } from '../../src/geometry/experiment-types.ts';
import { chooseEmbedder, findLocalMiniLM } from '../../src/geometry/text-embedder.ts';
import { distancesByKind } from '../../src/geometry/grouping.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// The geometry experiment at a tiny size on stories260k: K = 2 PG-19 contexts, J = 2 continuations
// each, R = 2 seeds for the last one: 2·1 + 2·2 = 6 solutions of 6-token texts.

const SETTINGS: GeometrySettings = { ...DEFAULT_GEOMETRY, contexts: 2, continuations: 2, restarts: 2, length: 6, steps: 40, seed: 3, scanPoints: 5, embedder: 'auto' };

describe('geometry experiment (stories260k, tiny)', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  const input = (settings: GeometrySettings): GeometryRunInput => ({
    model,
    tokenizer,
    source: pg19Source(),
    settings,
    // Offline: no served MiniLM and no Hub, so the model's hidden states stand in.
    chooseEmbedder: async () => chooseEmbedder(settings.embedder, findLocalMiniLM([]), { reachable: false, why: 'offline test' }, 'stories260k'),
    loadMiniLM: async () => {
      throw new Error('not available in this test');
    },
    maxBatch: 4, // 6 solutions in two batches: the batching path is exercised
    label: 'stories260k',
  });

  beforeAll(async () => {
    const gpu = await testGpu();
    model = await loadModel(gpu, nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
  });

  it('refuses settings it cannot run, naming the field', () => {
    expect(geometryProblems({ ...SETTINGS, restarts: 0 })).toEqual(['restarts must be a whole number from 1 to 50']);
    expect(geometryProblems({ ...SETTINGS, contexts: 1, continuations: 1, restarts: 1 })[0]).toMatch(/nothing to compare/);
  });

  it('runs end to end: texts, solutions grouped by text and context, finite distances, Fig. 5-7 data', async () => {
    const partials: GeometryPartial[] = [];
    const progress: GeometryProgress[] = [];
    const out = await runGeometryExperiment(input(SETTINGS), { onPartial: (p) => partials.push(p), onProgress: (p) => progress.push(p) });
    expect(out.stoppedBy).toBe('done');
    const r = out.result;
    expect(partials.map((p) => p.kind)).toEqual(['texts', 'solutions', 'textDistances', 'interpolation', 'interpolation']);
    expect(progress.map((p) => p.phase).filter((p, i, a) => a.indexOf(p) === i)).toEqual(['contexts', 'generate', 'compress', 'embed', 'interpolate']);

    // Texts: K x J continuations of `length` tokens, two per context, contexts different.
    expect(r.texts).toHaveLength(4);
    expect(r.texts.map((t) => [t.context, t.j])).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(r.texts.every((t) => t.tokens.length === 6 && t.contextId.startsWith('pg19/'))).toBe(true);
    expect(r.texts[0].contextId).not.toBe(r.texts[2].contextId);
    expect(new Set(r.texts.map((t) => t.tokens.join(','))).size).toBe(4);

    // Solutions: one for each first continuation, R = 2 for the last.
    expect(r.solutions.map((s) => [s.text, s.restart])).toEqual([[0, 0], [1, 0], [1, 1], [2, 0], [3, 0], [3, 1]]);
    expect(r.solutions.every((s) => s.accuracy >= 0 && s.accuracy <= 1)).toBe(true);
    expect(r.solutions.some((s) => s.accuracy > 0)).toBe(true);
    expect(new Set(r.solutions.map((s) => s.seed)).size).toBe(6);

    // Distances: 6 x 6, symmetric, finite, zero diagonal, for e|m, e and m.
    for (const part of ['em', 'e', 'm'] as const) {
      const d = r.distances![part];
      expect(d).toHaveLength(6);
      for (let i = 0; i < 6; i++) {
        expect(d[i][i]).toBe(0);
        for (let j = 0; j < 6; j++) {
          expect(Number.isFinite(d[i][j])).toBe(true);
          expect(d[i][j]).toBe(d[j][i]);
          if (i !== j) expect(d[i][j]).toBeGreaterThan(0);
        }
      }
    }
    // Grouping: 2 same-text pairs (one per context), same-context pairs share a context, the rest differ.
    const by = distancesByKind(r.distances!.em, r.labels);
    expect(by['same-text']).toHaveLength(2);
    expect(by['same-text']).toEqual([r.distances!.em[1][2], r.distances!.em[4][5]]);
    expect(by['same-context']).toHaveLength(4); // text 0 with both seeds of text 1, text 2 with text 3's
    expect(by['different-context']).toHaveLength(15 - 2 - 4);

    // Fig. 5: every pair of different texts once, with both text distances, finite.
    expect(r.pairs).toHaveLength(6);
    expect(r.pairs.filter((p) => p.kind === 'same-context').map((p) => [p.a, p.b])).toEqual([[0, 1], [2, 3]]);
    for (const p of r.pairs) for (const v of [p.tfidf, p.semantic, p.solution]) expect(Number.isFinite(v) && v >= 0 && v <= 2).toBe(true);
    expect(r.semanticInfo).toMatchObject({ kind: 'model-hidden', label: 'stories260k: mean-pooled final hidden states (not MiniLM)' });
    expect(r.semanticInfo!.reason).toMatch(/offline test/);

    // Fig. 7: the two same-text pairs, scanned at 5 tau; the ends are the solutions themselves.
    expect(r.interpolation.map((p) => [p.text, p.a, p.b])).toEqual([[1, 1, 2], [3, 4, 5]]);
    for (const p of r.interpolation) {
      expect(p.tau).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(p.accuracy[0]).toBeCloseTo(r.solutions[p.a].accuracy, 12);
      expect(p.accuracy[4]).toBeCloseTo(r.solutions[p.b].accuracy, 12);
      expect(p.meanAccuracy).toBeGreaterThanOrEqual(0);
      expect(p.meanAccuracy).toBeLessThanOrEqual(1);
    }
    expect(r.interpolationTotal).toBe(2);
  }, 240_000);

  it('stops when asked, keeping what is finished', async () => {
    let partials = 0;
    const out = await runGeometryExperiment(input({ ...SETTINGS, steps: 20 }), { onPartial: () => partials++, shouldStop: () => partials >= 1 });
    expect(out.stoppedBy).toBe('stopped');
    expect(out.result.texts).toHaveLength(4);
    expect(out.result.solutions).toHaveLength(0); // stopped before the first step: nothing learned, nothing kept
    expect(out.result.interpolation).toHaveLength(0);
  }, 120_000);
});
