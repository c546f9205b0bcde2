/**
 * Picked text files have one reader (src/datasets/files.ts): the experiments view's picked files
 * (readTextFiles, via the experiments actions) and the uploaded-files text source
 * (documentsFromFiles) name files the same way and refuse a file that is not UTF-8 with the same
 * message. What each keeps of its own: readTextFiles reads eagerly in pick order and lists the
 * refusals; documentsFromFiles loads lazily, sorted by name, a bad file skipped as a SourceError.
 */
import { describe, expect, it } from 'vitest';
import { documentsFromFiles } from '../../src/datasets/browser.ts';
import { readTextFiles, type NamedBlob } from '../../src/datasets/files.ts';
import { SourceError } from '../../src/datasets/sources.ts';
import { createExperimentActions } from '../../src/ui/experiments-actions.ts';
import { createLabStore } from '../../src/ui/store.ts';
import type { EngineClient } from '../../src/worker/client.ts';

const LATIN1 = 'latin1.txt is not UTF-8 text (invalid byte 0xe9 at offset 3); save it as UTF-8 and try again.';

/** A File picked with a folder input (webkitRelativePath set). */
function inFolder(parts: BlobPart[], name: string, path: string): File {
  const f = new File(parts, name);
  Object.defineProperty(f, 'webkitRelativePath', { value: path });
  return f;
}

/** A picked file whose bytes cannot be read. */
function unreadable(name: string, why: unknown): NamedBlob {
  return { name, arrayBuffer: () => Promise.reject(why) };
}

describe('one reader for picked text files', () => {
  it('a file that is not UTF-8: the same message from both', async () => {
    const bad = () => new File([Uint8Array.from([0x63, 0x61, 0x66, 0xe9])], 'latin1.txt');
    const picked = await readTextFiles([bad()]);
    expect(picked).toEqual({ texts: [], refused: [LATIN1] });
    const [doc] = documentsFromFiles([bad()]);
    const err = await Promise.resolve(doc.load()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toBe(LATIN1);
  });

  it('a file from a picked folder goes by its relative path in both, in the message too', async () => {
    const good = () => inFolder(['Lily saw a dog.'], 'a.txt', 'stories/a.txt');
    const bad = () => inFolder([Uint8Array.from([0x61, 0xff])], 'b.txt', 'stories/sub/b.txt');
    const picked = await readTextFiles([good(), bad()]);
    expect(picked.texts).toEqual([{ name: 'stories/a.txt', text: 'Lily saw a dog.' }]);
    expect(picked.refused).toEqual(['stories/sub/b.txt is not UTF-8 text (invalid byte 0xff at offset 1); save it as UTF-8 and try again.']);
    const docs = documentsFromFiles([bad(), good()]);
    expect(docs.map((d) => d.id)).toEqual(['stories/a.txt', 'stories/sub/b.txt']);
    expect(await docs[0].load()).toBe('Lily saw a dog.');
    await expect(Promise.resolve(docs[1].load())).rejects.toThrow(picked.refused[0]);
  });

  it('a byte-order mark is dropped by both', async () => {
    const bom = () => new File([Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0x69])], 'bom.txt');
    expect((await readTextFiles([bom()])).texts).toEqual([{ name: 'bom.txt', text: 'hi' }]);
    expect(await documentsFromFiles([bom()])[0].load()).toBe('hi');
  });

  it('readTextFiles keeps pick order; documentsFromFiles sorts by name', async () => {
    const files = () => [new File(['z'], 'z.txt'), new File(['a'], 'a.txt')];
    expect((await readTextFiles(files())).texts.map((t) => t.name)).toEqual(['z.txt', 'a.txt']);
    expect(documentsFromFiles(files()).map((d) => d.id)).toEqual(['a.txt', 'z.txt']);
  });

  it('an unreadable file: readTextFiles lists it by name with what was thrown, documentsFromFiles rethrows as is', async () => {
    const boom = new Error('The requested file could not be read');
    const r = await readTextFiles([unreadable('gone.txt', boom), unreadable('odd.txt', 'denied'), new File(['ok'], 'ok.txt')]);
    expect(r).toEqual({ texts: [{ name: 'ok.txt', text: 'ok' }], refused: ['gone.txt: The requested file could not be read', 'odd.txt: denied'] });
    const err = await Promise.resolve(documentsFromFiles([unreadable('gone.txt', boom)])[0].load()).catch((e: unknown) => e);
    expect(err).toBe(boom);
  });

  it("the experiments view's picked files go through it: good ones kept, bad ones named in the view's message", async () => {
    const store = createLabStore();
    const client = { send: () => {}, newRequestId: () => 1 } as unknown as EngineClient;
    const actions = createExperimentActions(store, client);
    actions.pickExperimentFiles([new File(['Once upon a time'], 'good.txt'), new File([Uint8Array.from([0x63, 0x61, 0x66, 0xe9])], 'latin1.txt')]);
    await expect.poll(() => store.getState().experiments.message).toBe(`Left out 1 of the picked files: ${LATIN1}`);
    expect(store.getState().experiments.files).toEqual([{ name: 'good.txt', text: 'Once upon a time' }]);
  });
});
