import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { LibraryDb } from '../../src/library/db.ts';
import { normaliseTags, recordFromSolution } from '../../src/library/records.ts';
import { createGeometryActions } from '../../src/ui/geometry-actions.ts';
import { startLibrary } from '../../src/ui/library-actions.ts';
import { initialState } from '../../src/ui/state.ts';
import { createLabStore, type LabStore } from '../../src/ui/store.ts';
import { EngineClient } from '../../src/worker/client.ts';
import { FakePort, storiesReady, until } from '../helpers/fake-worker.ts';
import type { ToWorker } from '../../src/worker/protocol.ts';
import { meta } from '../library/fixtures.ts';

/** The page's store, a fake worker, and the real library controller (fake IndexedDB) behind the geometry actions. */
function page(): { store: LabStore; port: FakePort; keep: () => Promise<void> } {
  const store = createLabStore({ ...initialState(), model: { state: 'ready', ref: 'stories260k', info: storiesReady('stories260k (served)') } });
  const port = new FakePort();
  const client = new EngineClient(port);
  const actions = createGeometryActions(store, client, startLibrary(store, client));
  return { store, port, keep: () => actions.geometryKeep() };
}

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const asked = (port: FakePort) => port.sent.filter((m): m is Extract<ToWorker, { type: 'geometrySolutions' }> => m.type === 'geometrySolutions');
const file = (name: string, seed = 0, tags = ['geometry']) => ({ name, bytes: Uint8Array.of(seed, 1, 2, 3).buffer as ArrayBuffer, tags, meta: meta({ seed, model: 'stories260k' }) });

// A keep that waits on something never answered fails in seconds, not at the suite's 2-minute limit.
describe('geometry keep: the request for the solution files', { timeout: 10_000 }, () => {
  it('an error for another request does not fail this one', async () => {
    const { store, port, keep } = page();
    const done = keep();
    await until(() => asked(port).length === 1);
    const { requestId } = asked(port)[0];
    port.reply({ type: 'error', op: 'geometrySolutions', requestId: requestId + 100, message: 'not yours' });
    port.reply({ type: 'geometrySolutionFiles', requestId, files: [file('a.safetensors'), file('b.safetensors')] });
    await done;
    expect(store.getState().geometry.keep).toMatchObject({ state: 'done', text: expect.stringContaining('2 solutions kept') });
  });

  it('an error for this request fails it with the worker\'s reason', async () => {
    const { store, port, keep } = page();
    const done = keep();
    await until(() => asked(port).length === 1);
    port.reply({ type: 'error', op: 'geometrySolutions', requestId: asked(port)[0].requestId, message: 'No geometry experiment has solutions to keep yet: run one first.' });
    await done;
    expect(store.getState().geometry.keep).toEqual({ state: 'error', text: 'No geometry experiment has solutions to keep yet: run one first.' });
  });

  it('files answering another request are not taken for this one', async () => {
    const { store, port, keep } = page();
    const done = keep();
    await until(() => asked(port).length === 1);
    const { requestId } = asked(port)[0];
    port.reply({ type: 'geometrySolutionFiles', requestId: requestId + 100, files: [file('other.safetensors')] });
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState().geometry.keep?.state).toBe('saving');
    port.reply({ type: 'geometrySolutionFiles', requestId, files: [file('a.safetensors')] });
    await done;
    expect(store.getState().geometry.keep?.text).toContain('1 solution kept');
  });

  it('keeps the records straight from the files: no check per file, one transaction, the fields an import would record', async () => {
    const { store, port, keep } = page();
    await until(() => store.getState().library.status === 'ready');
    const files = [file('geometry-c1-t1-s1-4tok.safetensors', 0, ['geometry', 'context:A', 'text:1.1']), file('geometry-c1-t1-s2-4tok.safetensors', 1, ['geometry', 'Context:A ', 'text:1.1']), file('geometry-c2-t1-s1-4tok.safetensors', 2, ['geometry', 'context:B', 'text:2.1'])];
    const done = keep();
    await until(() => asked(port).length === 1);
    port.reply({ type: 'geometrySolutionFiles', requestId: asked(port)[0].requestId, files });
    await until(() => store.getState().geometry.keep?.state !== 'saving' || port.sent.length > 1);
    // Nothing but the one request went to the worker: no decode check (GPU) per file.
    expect(port.sent.map((m) => m.type)).toEqual(['geometrySolutions']);
    await done;
    expect(store.getState().geometry.keep).toEqual({ state: 'done', text: '3 solutions kept in the library (tags geometry, context:…, text:…).' });
    const db = await LibraryDb.open();
    const kept = await Promise.all((await db.list()).map((r) => db.get(r.id)));
    db.close();
    // What importing each file and then tagging it recorded (the model's id from the file, source 'import').
    const asImported = files.map((f) => ({ ...recordFromSolution(f.meta, f.bytes, { name: f.name, source: 'import' }), tags: normaliseTags(f.tags) }));
    const plain = ({ id: _id, savedAt: _savedAt, ...rest }: { id: string; savedAt: string }) => rest;
    expect(kept.map(plain)).toEqual(asImported.reverse().map(plain));
    expect(kept.map((r) => r.model)).toEqual(['stories260k', 'stories260k', 'stories260k']);
    // The page's list holds them too, newest first, as the table lists them.
    expect(store.getState().library.records.map((r) => r.name)).toEqual(kept.map((r) => r.name));
  });
});
