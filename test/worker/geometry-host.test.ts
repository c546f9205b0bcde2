import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { decodeSolutionBytes, encodeSolution, LAB_VERSION, type SolutionMeta } from '../../src/prototokens/solution-file.ts';
import { pg19Source } from '../../src/datasets/node/sources.ts';
import { GeometryHost } from '../../src/worker/geometry-host.ts';
import type { GeometryFromWorker } from '../../src/worker/geometry-protocol.ts';
import { DEFAULT_GEOMETRY } from '../../src/geometry/experiment-types.ts';
import { cosineDistance, solutionVector } from '../../src/geometry/distances.ts';
import { meanHiddenEmbeddings } from '../../src/geometry/jobs/hidden-embedding.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

// The worker side of the geometry view on stories260k: the experiment's messages in order, stop,
// one run at a time; distances between solution files; the hidden-state embedding request.

describe('GeometryHost (worker side of the geometry view)', () => {
  let model: Model;
  let tokenizer: Tokenizer;
  let posted: GeometryFromWorker[];
  let host: GeometryHost;
  const label = 'stories260k';

  const vectors = (seed: number) => {
    const rng = new Rng(seed);
    return { e: rng.normalArray(model.spec.hidden), m: rng.normalArray(model.spec.hidden) };
  };
  const file = (seed: number, patch: Partial<SolutionMeta> = {}): ArrayBuffer => {
    const meta: SolutionMeta = {
      model: label, modelFingerprint: model.fingerprint, weightFormat: model.weightFormat, hidden: model.spec.hidden, layout: 'e,m*(N-1)', firstTarget: 'e', targetIds: [5, 6, 7], text: 'x', seed,
      lr: 0.01, init: 'normal', steps: 1, loss: 1, accuracy: 0, cTokens: 0, seconds: 1, createdAt: '2026-01-01T00:00:00Z', labVersion: LAB_VERSION, ...patch,
    };
    const bytes = encodeSolution({ ...vectors(seed), meta });
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };

  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
    tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
    posted = [];
    host = new GeometryHost(
      (m) => posted.push(m),
      'http://unused/data/',
      'http://unused/models/',
      async () => pg19Source(),
      async () => ({ reachable: false, why: 'offline test' }),
    );
  });

  it('compares solution files: the distances of their vectors; other models refused by name', async () => {
    await host.compare({ type: 'geometryCompare', requestId: 1, items: [1, 2, 3].map((s) => ({ id: `s${s}`, name: `s${s}.safetensors`, bytes: file(s) })) });
    const msg = posted.at(-1) as Extract<GeometryFromWorker, { type: 'geometryCompared' }>;
    expect(msg).toMatchObject({ type: 'geometryCompared', requestId: 1, ids: ['s1', 's2', 's3'] });
    const want = cosineDistance(solutionVector(vectors(1), 'em'), solutionVector(vectors(3), 'em'));
    expect(msg.distances.em[0][2]).toBeCloseTo(want, 12);
    expect(msg.distances.e[1][2]).toBeCloseTo(cosineDistance(vectors(2).e, vectors(3).e), 12);
    await expect(host.compare({ type: 'geometryCompare', requestId: 2, items: [{ id: 'a', name: 'a', bytes: file(1) }, { id: 'b', name: 'b.safetensors', bytes: file(2, { modelFingerprint: 'x', model: 'pythia-70m' }) }] })).rejects.toThrow(
      /a and b.safetensors belong to different models \(stories260k, pythia-70m\)/,
    );
    await expect(host.compare({ type: 'geometryCompare', requestId: 3, items: [{ id: 'a', name: 'a', bytes: file(1) }] })).rejects.toThrow(/at least two/);
  });

  it('answers the hidden-state embedding request, labelled', async () => {
    await host.hiddenEmbed({ model, tokenizer, label }, { type: 'hiddenEmbed', requestId: 4, texts: ['Tom had a ball.', 'A cat.'] });
    const msg = posted.at(-1) as Extract<GeometryFromWorker, { type: 'hiddenEmbedded' }>;
    expect(msg.label).toBe('stories260k: mean-pooled final hidden states (not MiniLM)');
    const want = await meanHiddenEmbeddings(model, [tokenizer.encode('Tom had a ball.')], { bos: tokenizer.addBos ? tokenizer.bosTokenId : null });
    expect(msg.vectors).toHaveLength(2);
    msg.vectors[0].forEach((x, j) => expect(x).toBeCloseTo(want[0][j], 6));
  });

  it('runs the experiment: progress, partials in order, done; running from its start; stop keeps what is done', async () => {
    posted.length = 0;
    const settings = { ...DEFAULT_GEOMETRY, contexts: 2, continuations: 1, restarts: 2, length: 5, steps: 20, scanPoints: 3 };
    const run = host.start({ model, tokenizer, label }, { type: 'geometryStart', settings, proto: { layout: 'e,m*(N-1)', firstTarget: 'e', lr: 0.01 }, served: [] });
    // Running from the call on, so the engine refuses a second start at once (engine-jobs.test.ts).
    expect(host.running).toBe(true);
    await run;
    expect(host.running).toBe(false);
    const kinds = posted.filter((m) => m.type === 'geometryPartial').map((m) => (m as Extract<GeometryFromWorker, { type: 'geometryPartial' }>).partial.kind);
    expect(kinds).toEqual(['texts', 'solutions', 'textDistances', 'interpolation', 'interpolation']);
    expect(posted.some((m) => m.type === 'geometryProgress')).toBe(true);
    expect(posted.at(-1)).toMatchObject({ type: 'geometryDone', stoppedBy: 'done' });
    const td = posted.find((m) => m.type === 'geometryPartial' && m.partial.kind === 'textDistances') as Extract<GeometryFromWorker, { type: 'geometryPartial' }>;
    expect(td.partial.kind === 'textDistances' && td.partial.semanticInfo.reason).toMatch(/offline test/);

    // The solutions as files: decoded back they give the run's own distances, tagged by context.
    const sols = posted.find((m) => m.type === 'geometryPartial' && m.partial.kind === 'solutions') as Extract<GeometryFromWorker, { type: 'geometryPartial' }>;
    const texts = posted.find((m) => m.type === 'geometryPartial' && m.partial.kind === 'texts') as Extract<GeometryFromWorker, { type: 'geometryPartial' }>;
    await host.solutionFiles({ type: 'geometrySolutions', requestId: 5 });
    const files = (posted.at(-1) as Extract<GeometryFromWorker, { type: 'geometrySolutionFiles' }>).files;
    expect(files.map((f) => f.name)).toEqual(['geometry-c1-t1-s1-5tok.safetensors', 'geometry-c1-t1-s2-5tok.safetensors', 'geometry-c2-t1-s1-5tok.safetensors', 'geometry-c2-t1-s2-5tok.safetensors']);
    const ctx = texts.partial.kind === 'texts' ? texts.partial.texts.map((t) => t.contextId) : [];
    expect(files.map((f) => f.tags)).toEqual([
      ['geometry', `context:${ctx[0]}`, 'text:1.1'],
      ['geometry', `context:${ctx[0]}`, 'text:1.1'],
      ['geometry', `context:${ctx[1]}`, 'text:2.1'],
      ['geometry', `context:${ctx[1]}`, 'text:2.1'],
    ]);
    // Each file's metadata comes along as the file holds it (the page keeps them without a decode check), with the model's id.
    for (const f of files) expect(f.meta).toEqual((await decodeSolutionBytes(new Uint8Array(f.bytes), f.name)).meta);
    expect(files.map((f) => f.meta.model)).toEqual(files.map(() => model.id));
    await host.compare({ type: 'geometryCompare', requestId: 6, items: files.map((f, i) => ({ id: String(i), name: f.name, bytes: f.bytes })) });
    const again = posted.at(-1) as Extract<GeometryFromWorker, { type: 'geometryCompared' }>;
    expect(again.distances.em).toEqual(sols.partial.kind === 'solutions' ? sols.partial.distances.em : null);

    posted.length = 0;
    const stopped = host.start({ model, tokenizer, label }, { type: 'geometryStart', settings, proto: { layout: 'e,m*(N-1)', firstTarget: 'e', lr: 0.01 }, served: [] });
    host.stop();
    await stopped;
    expect(posted.at(-1)).toMatchObject({ type: 'geometryDone', stoppedBy: 'stopped' });
    expect(() => host.stop()).toThrow(/No geometry experiment is running/);
  }, 120_000);
});
