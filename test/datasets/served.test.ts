import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type Tokenizer } from '../../src/model/tokenizer.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { sourceByName } from '../../src/datasets/node/sources.ts';
import { DATA_DIR } from '../../src/datasets/data-dir.ts';
import { listDataFiles } from '../../src/devserver/data-middleware.ts';
import { servedSource, type FetchText } from '../../src/datasets/served.ts';
import { STORIES } from '../helpers/fixtures.ts';

const BASE = 'http://lab.test/data/';

/** The dev server's /data/ answered from the shared folder, as the data middleware would. */
const fetchShared: FetchText = async (url) => {
  const path = url.slice(BASE.length);
  const files = await listDataFiles(DATA_DIR);
  const body = path === 'index.json' ? JSON.stringify(files) : files.some((f) => f.path === path) ? await readFile(join(DATA_DIR, path), 'utf8') : null;
  return { ok: body !== null, status: body === null ? 404 : 200, text: async () => body ?? '', json: async () => JSON.parse(body ?? 'null') };
};

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(nodeFolderSource(STORIES));
});

describe('text sources served to the browser', () => {
  it.each(['pg19', 'recent', 'random'])('%s gives the same texts (ids and tokens) as the command line', async (name) => {
    const served = await servedSource(name, BASE, fetchShared);
    const opts = { tokenizer, length: 24, count: 3, seed: 5 };
    const a = await served.texts(opts);
    const b = await sourceByName(name).texts(opts);
    expect(a.map((t) => [t.id, t.tokens])).toEqual(b.map((t) => [t.id, t.tokens]));
    expect(a).toHaveLength(3);
  });

  it('pg19-windows is served over the 50 extra books, as on the command line', async () => {
    // (texts not compared here: tokenizing all 50 books takes seconds; windows.test.ts covers the source)
    expect((await servedSource('pg19-windows', BASE, fetchShared)).describe).toMatch(/^pg19-windows: 50 documents, the first 20000 characters/);
  });

  it('an unknown name is refused with the names that work', async () => {
    await expect(servedSource('books', BASE, fetchShared)).rejects.toThrow(/Unknown text source "books": use pg19, random, generated, recent/);
  });

  it('a server without the data says where the sources come from', async () => {
    const none: FetchText = async () => ({ ok: false, status: 404, text: async () => '', json: async () => null });
    await expect(servedSource('pg19', BASE, none)).rejects.toThrow(/answered 404.*dev server/);
    const empty: FetchText = async () => ({ ok: true, status: 200, text: async () => '[]', json: async () => [] });
    await expect(servedSource('pg19', BASE, empty)).rejects.toThrow(/lists no PG-19 books/);
  });

  it('the listing holds only the sources\' text files, by paths the parser accepts', async () => {
    const files = await listDataFiles(DATA_DIR);
    expect(files.some((f) => f.path === 'words/glove_top100k.txt')).toBe(true);
    expect(files.filter((f) => f.path.startsWith('pg19/test/')).length).toBe(44);
    for (const f of files) expect(f.path).toMatch(/^(pg19|recent|words)\/([A-Za-z0-9_][\w.+-]*\/)?[A-Za-z0-9_][\w.+-]*\.(txt|jsonl)$/);
    expect(files.some((f) => f.path.includes('SOURCES') || f.path.includes('fanfics'))).toBe(false);
  });
});
