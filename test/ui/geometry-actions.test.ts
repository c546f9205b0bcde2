import { describe, expect, it } from 'vitest';
import { createGeometryActions, type GeometryLibrary } from '../../src/ui/geometry-actions.ts';
import { initialState } from '../../src/ui/state.ts';
import { createLabStore, type LabStore } from '../../src/ui/store.ts';
import { EngineClient, type WorkerPort } from '../../src/worker/client.ts';
import type { FromWorker, ToWorker } from '../../src/worker/protocol.ts';

class FakePort implements WorkerPort {
  sent: ToWorker[] = [];
  private onMessage: ((ev: MessageEvent) => void) | null = null;
  postMessage(message: unknown): void {
    this.sent.push(message as ToWorker);
  }
  addEventListener(type: 'message' | 'error', listener: (ev: never) => void): void {
    if (type === 'message') this.onMessage = listener as (ev: MessageEvent) => void;
  }
  terminate(): void {}
  reply(msg: FromWorker): void {
    this.onMessage?.({ data: msg } as MessageEvent);
  }
}

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A library that keeps whatever it is given. */
const keepingLibrary: GeometryLibrary = {
  libraryImport: async (files) => files.map((f, i) => ({ ok: true as const, id: `id${i}` })),
  libraryTag: async () => undefined,
};

function page(): { store: LabStore; port: FakePort; keep: () => Promise<void> } {
  const store = createLabStore(initialState());
  const port = new FakePort();
  const actions = createGeometryActions(store, new EngineClient(port), keepingLibrary);
  return { store, port, keep: () => actions.geometryKeep() };
}

const asked = (port: FakePort) => port.sent.filter((m): m is Extract<ToWorker, { type: 'geometrySolutions' }> => m.type === 'geometrySolutions');
const file = (name: string) => ({ name, bytes: new ArrayBuffer(8), tags: ['geometry'] });

describe('geometry keep: the request for the solution files', () => {
  it('an error for another request does not fail this one', async () => {
    const { store, port, keep } = page();
    const done = keep();
    await until(() => asked(port).length === 1);
    const { requestId } = asked(port)[0];
    port.reply({ type: 'error', op: 'geometrySolutions', requestId: requestId + 100, message: 'not yours' });
    port.reply({ type: 'geometrySolutionFiles', requestId, files: [file('a.safetensors'), file('b.safetensors')] });
    await done;
    expect(store.getState().geometry.keep).toMatchObject({ state: 'done', text: expect.stringContaining('2 of 2 solutions kept') });
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
    expect(store.getState().geometry.keep?.text).toContain('1 of 1 solutions kept');
  });
});
