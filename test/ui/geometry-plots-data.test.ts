import { describe, expect, it } from 'vitest';
import { binnedMeans, fig6Samples, fig7Matrix, groupedDistances, solutionName } from '../../src/ui/components/geometry/geometry-plots-data.ts';
import { addPartial, emptyGeometryResult, DEFAULT_GEOMETRY, type GeometryResult } from '../../src/geometry/experiment-types.ts';
import { applyGeometryError, applyGeometryMessage, compareRequested, geometryRequested, IDLE_GEOMETRY } from '../../src/ui/geometry-state.ts';

// A hand-made result: context 1 has texts A (1 seed) and B (2 seeds); context 2 has text C (2 seeds).
function result(): GeometryResult {
  const text = (id: string, context: number, j: number) => ({ id, context, contextId: `ctx${context}`, j, tokens: [1, 2], text: id, contextText: '' });
  let r = emptyGeometryResult({ ...DEFAULT_GEOMETRY, contexts: 2, continuations: 2, restarts: 2 });
  r = addPartial(r, { kind: 'texts', texts: [text('A', 0, 0), text('B', 0, 1), text('C', 1, 1)] });
  const solutions = [
    { text: 2, restart: 0, seed: 1, accuracy: 1 },
    { text: 0, restart: 0, seed: 2, accuracy: 0.5 },
    { text: 1, restart: 0, seed: 3, accuracy: 1 },
    { text: 2, restart: 1, seed: 4, accuracy: 0.75 },
    { text: 1, restart: 1, seed: 5, accuracy: 1 },
  ];
  const labels = solutions.map((s) => ({ textId: ['A', 'B', 'C'][s.text], contextId: s.text === 2 ? 'ctx1' : 'ctx0' }));
  const d = (i: number, j: number) => (i === j ? 0 : (Math.min(i, j) + 1) * 10 + Math.max(i, j) + 1);
  const m = solutions.map((_, i) => solutions.map((_, j) => d(i, j)));
  r = addPartial(r, { kind: 'solutions', solutions, labels, distances: { em: m, e: m, m } });
  r = addPartial(r, { kind: 'interpolation', pair: { text: 2, a: 0, b: 3, tau: [0, 1], accuracy: [1, 0.75], meanAccuracy: 0.4 } });
  return r;
}

describe('geometry plot data', () => {
  it('counts the pairs Fig. 7 will have from the solutions', () => {
    expect(result().interpolationTotal).toBe(2); // B's two seeds, C's two seeds
  });

  it('heatmap order: by context (first appearance), then text; runs mark the blocks', () => {
    const r = result();
    const g = groupedDistances(r, 'em')!;
    // Solutions in order: C0 C1 (context ctx1 first seen), then A, B0, B1.
    expect(g.names).toEqual(['c2·t2·s1', 'c2·t2·s2', 'c1·t1·s1', 'c1·t2·s1', 'c1·t2·s2']);
    expect(g.outer.map((o) => [o.key, o.start, o.end])).toEqual([
      ['context 2', 0, 2],
      ['context 1', 2, 5],
    ]);
    expect(g.inner.map((o) => [o.key, o.start, o.end])).toEqual([
      ['C', 0, 2],
      ['A', 2, 3],
      ['B', 3, 5],
    ]);
    expect(g.matrix[0][1]).toBe(14); // solutions 0 and 3
    expect(g.matrix[3][4]).toBe(35); // solutions 2 and 4
    expect(solutionName(r, 1)).toBe('c1·t1·s1');
  });

  it('Fig. 6 samples by pairing', () => {
    const s = fig6Samples(result(), 'em')!;
    expect(s['same-text'].sort()).toEqual([14, 35]);
    expect(s['same-context'].sort()).toEqual([23, 25]);
    expect(s['different-context'].length).toBe(10 - 4);
  });

  it('Fig. 7 matrix: seeded texts only, diagonal = own accuracy, scanned pairs filled, the rest empty', () => {
    const f = fig7Matrix(result())!;
    expect(f.names).toEqual(['c2·t2·s1', 'c2·t2·s2', 'c1·t2·s1', 'c1·t2·s2']);
    expect(f.matrix[0][0]).toBe(1);
    expect(f.matrix[1][1]).toBe(0.75);
    expect(f.matrix[0][1]).toBe(0.4);
    expect(f.matrix[1][0]).toBe(0.4);
    expect(f.matrix[2][3]).toBeNaN(); // B's pair not scanned yet
    expect(f.matrix[0][2]).toBeNaN(); // different texts: no common loss
  });

  it('the UI slice folds partials only while a run is active', () => {
    const settings = { ...DEFAULT_GEOMETRY };
    const partial = { type: 'geometryPartial' as const, partial: { kind: 'texts' as const, texts: [] } };
    expect(applyGeometryMessage(IDLE_GEOMETRY, partial)).toBe(IDLE_GEOMETRY);
    const started = geometryRequested(IDLE_GEOMETRY, settings);
    const v = applyGeometryMessage(started, partial);
    expect(v.phase).toBe('running');
    const done = applyGeometryMessage(v, { type: 'geometryDone', stoppedBy: 'stopped', seconds: 2 });
    expect(done).toMatchObject({ phase: 'done', stoppedBy: 'stopped', seconds: 2 });
  });

  it('errors: a refused start goes back to idle with the reason; compare errors only for the latest request; others are not the view\'s', () => {
    const started = geometryRequested(IDLE_GEOMETRY, { ...DEFAULT_GEOMETRY });
    const refused = applyGeometryError(started, { type: 'error', op: 'geometryStart', message: 'A compression is running: stop it first.' })!;
    expect(refused).toMatchObject({ phase: 'idle', error: 'A compression is running: stop it first.' });
    const asked = compareRequested(IDLE_GEOMETRY, 7, ['a', 'b']);
    expect(applyGeometryError(asked, { type: 'error', op: 'geometryCompare', requestId: 6, message: 'old' })).toBe(asked);
    expect(applyGeometryError(asked, { type: 'error', op: 'geometryCompare', requestId: 7, message: 'different models' })!.compare).toEqual({ state: 'error', ids: ['a', 'b'], message: 'different models' });
    expect(applyGeometryError(asked, { type: 'error', op: 'decode', message: 'x' })).toBeNull();
    // A new run keeps the library comparison.
    expect(geometryRequested(asked, { ...DEFAULT_GEOMETRY }).compare).toBe(asked.compare);
  });

  it('Fig. 5 binned means by hand: equal-width bins, the top edge in the last, empty bins left out', () => {
    const pts = [
      { x: 0, y: 1 },
      { x: 0.1, y: 3 },
      { x: 0.9, y: 5 },
      { x: 1, y: 7 },
      { x: 2, y: 100 }, // outside [0, 1]: ignored
    ];
    expect(binnedMeans(pts, 0, 1, 2)).toEqual([
      { x: 0.25, y: 2, n: 2 },
      { x: 0.75, y: 6, n: 2 },
    ]);
    expect(binnedMeans(pts, 0, 1, 4).map((m) => m.n)).toEqual([2, 2]);
    expect(binnedMeans([{ x: 3, y: 1 }, { x: 3, y: 2 }], 3, 3)).toEqual([{ x: 3, y: 1.5, n: 2 }]);
    expect(binnedMeans([], 0, 1)).toEqual([]);
  });
});
