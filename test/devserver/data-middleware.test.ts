import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataMiddleware, type DataIndexEntry } from '../../src/devserver/data-middleware.ts';

const SECRET = 'TOP-SECRET-NOT-A-TEXT';
let base: string;
let server: Server;
let url: string;

function file(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'protolab-data-'));
  const data = join(base, 'data');
  file(join(base, 'secret.txt'), SECRET);
  file(join(data, 'SOURCES.md'), SECRET);
  file(join(data, 'pg19', 'manifest.jsonl'), '{"file":"pg19/test/1.txt"}\n');
  file(join(data, 'pg19', 'test', '1.txt'), 'A book.');
  file(join(data, 'pg19', 'test', 'notes.md'), SECRET);
  file(join(data, 'pg19', 'test', '.hidden.txt'), SECRET);
  symlinkSync(join(base, 'secret.txt'), join(data, 'pg19', 'test', 'leak.txt'));
  file(join(data, 'recent', 'go_blog', 'post.txt'), 'A post.');
  file(join(data, 'words', 'glove_top100k.txt'), 'the\nof\n');
  file(join(data, 'models', 'x', 'config.json'), SECRET);
  const middleware = createDataMiddleware(() => data);
  server = createServer((req, res) => middleware(req, res, () => res.writeHead(418).end('next')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(base, { recursive: true, force: true });
});

describe('/data/ (the shared text sources)', () => {
  it('lists only the sources\' regular text files', async () => {
    const res = await fetch(`${url}/data/index.json`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as DataIndexEntry[];
    expect(list.map((e) => e.path)).toEqual(['pg19/manifest.jsonl', 'pg19/test/1.txt', 'recent/go_blog/post.txt', 'words/glove_top100k.txt']);
    expect(list.find((e) => e.path === 'pg19/test/1.txt')!.bytes).toBe(7);
  });

  it('serves a listed file as UTF-8 text', async () => {
    const res = await fetch(`${url}/data/recent/go_blog/post.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/);
    expect(await res.text()).toBe('A post.');
  });

  it.each(['SOURCES.md', 'pg19/test/leak.txt', 'pg19/test/notes.md', 'models/x/config.json', 'secret.txt', 'pg19/test/2.txt'])('does not serve %s', async (path) => {
    const res = await fetch(`${url}/data/${path}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(SECRET);
  });

  it('refuses other methods and bad paths, and leaves other URLs to the next handler', async () => {
    expect((await fetch(`${url}/data/pg19/test/1.txt`, { method: 'POST' })).status).toBe(405);
    // (fetch itself resolves %2e%2e, so traversal is tested on the parser: data-request.test.ts.)
    expect((await fetch(`${url}/data/pg19/bad%20name.txt`)).status).toBe(400);
    expect((await fetch(`${url}/models/index.json`)).status).toBe(418);
  });
});
