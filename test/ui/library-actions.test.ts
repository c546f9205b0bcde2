import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { LibraryDb } from '../../src/library/db.ts';
import { startLibrary, type LibraryActions } from '../../src/ui/library-actions.ts';
import { runRequested } from '../../src/ui/reducers.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { apply, createLabStore, type LabStore } from '../../src/ui/store.ts';
import { EngineClient } from '../../src/worker/client.ts';
import { FakePort, storiesReady, until } from '../helpers/fake-worker.ts';
import { type RunCheckpoint } from '../../src/worker/protocol.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { meta } from '../library/fixtures.ts';

function page(): { store: LabStore; port: FakePort; actions: LibraryActions } {
  const store = createLabStore({ ...initialState(), model: { state: 'ready', ref: 'stories260k', info: storiesReady() } });
  const port = new FakePort();
  const client = new EngineClient(port);
  return { store, port, actions: startLibrary(store, client) };
}

const ready = (store: LabStore) => until(() => store.getState().library.status === 'ready');
const lib = (store: LabStore): LabState['library'] => store.getState().library;

function checkpoint(step: number): RunCheckpoint {
  const f = (...x: number[]) => Float32Array.from(x);
  return {
    modelId: 'stories260k',
    modelFingerprint: 'fp-stories',
    modelLabel: 'stories260k',
    ids: [1, 2, 3, 4],
    text: 'The cat sat',
    settings: { ...PAPER_SETTINGS, maxSteps: 500 },
    step,
    elapsedMs: 900,
    bestGainStep: 10,
    bestCorrect: 3,
    state: { step, params: f(1, 2), adamM: f(3), adamV: f(4), adamStep: step, bestCorrect: Uint32Array.of(3), bestLoss: f(0.5), bestStep: Uint32Array.of(10), bestParams: f(5, 6) },
  };
}

function startRun(store: LabStore): void {
  apply(store, runRequested, { text: 'The cat sat', ids: [1, 2, 3, 4], pieces: ['a', 'b', 'c', 'd'], maxTokens: 511, tooLong: false }, 'stories260k');
}

beforeEach(() => {
  // A fresh, empty IndexedDB for every test (a new browser profile).
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

describe('library controller', () => {
  it('keeps checkpoints while a run goes on, then the finished run, and drops its checkpoint', async () => {
    const { store, port } = page();
    await ready(store);
    startRun(store);
    port.reply({ type: 'checkpoint', checkpoint: checkpoint(20) });
    const db = await LibraryDb.open();
    await until(async () => (await db.checkpoints()).length === 1);
    expect((await db.checkpoints())[0].step).toBe(20);
    // The page's own live run is not offered for resuming.
    expect(lib(store).checkpoints).toEqual([]);
    port.reply({ type: 'checkpoint', checkpoint: checkpoint(40) });
    await until(async () => (await db.checkpoints())[0]?.step === 40);

    const bytes = new Uint8Array([9, 9, 9]).buffer;
    port.reply({ type: 'done', solution: bytes, fileName: 'stories260k-4tok-seed0.safetensors', meta: meta(), decodedIds: [1, 2, 3, 4], decodedText: 'The cat sat', stoppedBy: 'solved', steps: 41, seconds: 2 });
    await until(() => lib(store).records.length === 1);
    expect(lib(store).records[0]).toMatchObject({ name: 'stories260k-4tok-seed0.safetensors', source: 'run', stoppedBy: 'solved', text: 'The cat sat' });
    await until(async () => (await db.checkpoints()).length === 0);
    expect(new Uint8Array(await db.bytes(lib(store).records[0].id))).toEqual(new Uint8Array([9, 9, 9]));
    db.close();
  });

  it('offers an interrupted run after a reload and resumes it with its own text, settings and state', async () => {
    const first = page();
    await ready(first.store);
    startRun(first.store);
    first.port.reply({ type: 'checkpoint', checkpoint: checkpoint(30) });
    const db = await LibraryDb.open();
    await until(async () => (await db.checkpoints()).length === 1);

    // "Reload": a new page over the same IndexedDB; the old page's run never finished.
    const { store, port, actions } = page();
    await ready(store);
    expect(lib(store).checkpoints.map((c) => [c.step, c.text])).toEqual([[30, 'The cat sat']]);
    const id = lib(store).checkpoints[0].id;
    const resumed = actions.libraryResume(id);
    const tok = await port.next('tokenize');
    port.reply({ type: 'tokens', requestId: tok.requestId, ids: [1, 2, 3, 4], pieces: ['The', ' cat', ' s', 'at'], maxTokens: 511, tooLong: false });
    await resumed;
    const start = await port.next('start');
    expect(start.resume?.step).toBe(30);
    expect(Array.from(start.resume!.state.adamV)).toEqual([4]);
    expect(start.settings.maxSteps).toBe(500);
    expect(start.ids).toEqual([1, 2, 3, 4]);
    expect(store.getState().run).toMatchObject({ phase: 'starting', text: 'The cat sat', pieces: ['The', ' cat', ' s', 'at'] });
    expect(store.getState().settings).toMatchObject({ view: 'compress', text: 'The cat sat', maxSteps: 500 });
    expect(lib(store).checkpoints).toEqual([]);
    // Its next checkpoints overwrite the same record.
    port.reply({ type: 'checkpoint', checkpoint: checkpoint(60) });
    await until(async () => (await db.checkpoints())[0]?.step === 60);
    expect((await db.checkpoints()).map((c) => c.id)).toEqual([id]);
    db.close();
  });

  it('refuses to resume a run of another model, saying which to load', async () => {
    const { store, actions, port } = page();
    await ready(store);
    const db = await LibraryDb.open();
    await db.putCheckpoint('r1', { ...checkpoint(5), modelFingerprint: 'fp-other', modelLabel: 'pythia-70m' });
    await actions.libraryResume('r1');
    expect(lib(store).message).toBe('This run was made with pythia-70m: load that model, then resume it.');
    expect(port.sent.filter((m) => m.type === 'start')).toEqual([]);
    db.close();
  });

  it('imports what the worker accepts, refuses the rest with its reason, and deletes with undo', async () => {
    const { store, port, actions } = page();
    await ready(store);
    const files = [new File([new Uint8Array([1, 2])], 'good.safetensors'), new File([new Uint8Array([3])], 'bad.safetensors'), new File([new Uint8Array([4])], 'broken.zip')];
    const importing = actions.libraryImport(files);
    const good = await port.next('checkSolution');
    expect(good.name).toBe('good.safetensors');
    port.reply({ type: 'decoded', requestId: good.requestId, name: good.name, meta: meta(), ids: [1, 2, 3, 4], pieces: [], text: 'The cat sat', cTokens: 4 });
    const bad = await port.next('checkSolution', port.sent.indexOf(good) + 1);
    port.reply({ type: 'error', op: 'checkSolution', requestId: bad.requestId, message: 'bad.safetensors is not a readable solution file: too short.' });
    const outcomes = await importing;
    expect(outcomes).toEqual([
      { name: 'good.safetensors', ok: true, id: expect.any(String), text: 'The cat sat', cTokens: 4, N: 4 },
      { name: 'bad.safetensors', ok: false, reason: 'bad.safetensors is not a readable solution file: too short.' },
      { name: 'broken.zip', ok: false, reason: expect.stringMatching(/^broken\.zip is not a readable zip file/) },
    ]);
    // The refusal is the import's, not a page-wide error.
    expect(store.getState().error).toBeNull();
    expect(lib(store).records.map((r) => [r.name, r.source])).toEqual([['good.safetensors', 'import']]);
    const id = lib(store).records[0].id;
    expect(new Uint8Array(await actions.librarySolutionBytes(id))).toEqual(new Uint8Array([1, 2]));

    await actions.libraryTag(id, 'Keep, keep, pair A');
    expect(lib(store).records[0].tags).toEqual(['keep', 'pair a']);
    await actions.libraryDelete([id]);
    expect(lib(store).records).toEqual([]);
    expect(lib(store).undo).toEqual({ ids: [id], names: ['good.safetensors'] });
    await actions.libraryUndoDelete();
    expect(lib(store).records.map((r) => [r.id, r.tags])).toEqual([[id, ['keep', 'pair a']]]);
    expect(lib(store).undo).toBeNull();
  });

  it('says so page-wide when a finished run cannot be kept', async () => {
    const { store, port } = page();
    await ready(store);
    startRun(store);
    // A record with a meta IndexedDB cannot clone: the write fails, as a full disk would.
    const bad = { ...meta(), text: (() => undefined) as unknown as string };
    port.reply({ type: 'done', solution: new ArrayBuffer(4), fileName: 'x.safetensors', meta: bad, decodedIds: [], decodedText: '', stoppedBy: 'stopped', steps: 1, seconds: 1 });
    await until(() => store.getState().error !== null);
    expect(store.getState().error).toMatch(/^The solution library could not keep a run's result or checkpoint: /);
    expect(lib(store).message).not.toBeNull();
  });

  it('refuses every file while no model is loaded, saying what to do', async () => {
    const { store, port, actions } = page();
    store.setState({ model: { state: 'none' } });
    await ready(store);
    const outcomes = await actions.libraryImport([new File([new Uint8Array([1])], 'a.safetensors')]);
    expect(outcomes).toEqual([{ name: 'a.safetensors', ok: false, reason: expect.stringMatching(/^No model is loaded: load the model the solutions were made with/) }]);
    expect(port.sent).toEqual([]);
  });
});
