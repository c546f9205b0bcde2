import { ASSETS } from '../helpers/fixtures.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/model/config.ts';
import { readSafetensorsHeader, readTensorRows } from '../../src/model/safetensors.ts';
import { openWeights } from '../../src/model/shards.ts';
import { httpSource } from '../../src/model/sources/http.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { ModelFileNotFoundError, ModelSourceError, type DownloadProgress } from '../../src/model/sources/source.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { MemoryCache, startHubServer, type HubServer } from '../helpers/hub-server.ts';

const STORIES = `${ASSETS}models/stories260k`;
const NEOX = `${ASSETS}fixtures/gpt-neox-tiny`;
const fast = { retryDelayMs: 5 } as const;

let hub: HubServer;
let plain: HubServer;
const base = (server: HubServer, repo: string) => `${server.url}/${repo}/resolve/main/`;
const gets = (server: HubServer, pathPart: string) => server.log.filter((r) => r.method === 'GET' && r.path.includes(pathPart));

beforeAll(async () => {
  hub = await startHubServer({ repos: { 'local/stories260k': STORIES, 'fixtures/gpt-neox-tiny': NEOX } });
  plain = await startHubServer({ repos: { 'local/stories260k': STORIES }, ranges: false });
});
afterAll(async () => {
  await hub.close();
  await plain.close();
});
beforeEach(() => {
  hub.log.length = 0;
  plain.log.length = 0;
});

describe('httpSource without a cache: Range requests', () => {
  it('loads config, weights and tokenizer; large files via redirect and 206 ranges', async () => {
    const progress: DownloadProgress[] = [];
    const src = httpSource(base(hub, 'local/stories260k'), { cache: null, onProgress: (p) => progress.push(p), ...fast });
    expect(src.describe).toBe(base(hub, 'local/stories260k'));
    expect(await src.has('config.json')).toBe(true);
    expect(await src.has('missing.json')).toBe(false);
    expect(parseConfig(JSON.parse(await src.text('config.json'))).layers).toBe(5);
    const idx = await openWeights(src);
    const local = await openWeights(nodeFolderSource(STORIES));
    for (const name of ['model.embed_tokens.weight', 'model.norm.weight', 'model.layers.3.self_attn.k_proj.weight']) {
      const a = idx.tensors.get(name)!;
      const rows = a.shape[0];
      expect(await readTensorRows(await idx.open(a.file), a, 1, rows - 2)).toEqual(await readTensorRows(await local.open('model.safetensors'), local.tensors.get(name)!, 1, rows - 2));
    }
    expect((await loadTokenizer(src)).encode('Lily saw a big dog')).toEqual([317, 394, 261, 370, 400, 428]);
    const st = hub.log.filter((r) => r.path.includes('model.safetensors'));
    expect(st.some((r) => r.status === 302 && r.path.includes('/resolve/'))).toBe(true);
    expect(st.filter((r) => r.path.startsWith('/cdn/') && r.method === 'GET').every((r) => r.status === 206 && r.range !== null)).toBe(true);
    const size = readFileSync(join(STORIES, 'model.safetensors')).length;
    const p = progress.filter((x) => x.file === 'model.safetensors');
    expect(p.length).toBeGreaterThan(0);
    expect(p.every((x) => x.total === size && x.loaded <= size)).toBe(true);
  });

  it('a missing file is ModelFileNotFoundError naming it', async () => {
    const src = httpSource(base(hub, 'local/stories260k'), { cache: null, ...fast });
    const err = await src.open('pytorch_model.bin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileNotFoundError);
    expect((err as Error).message).toMatch(/pytorch_model\.bin not found in .*HTTP 404/);
    await expect(src.text('nope.json')).rejects.toBeInstanceOf(ModelFileNotFoundError);
  });

  it('retries a range read whose response is cut half way', async () => {
    const src = httpSource(base(hub, 'local/stories260k'), { cache: null, ...fast });
    const bs = await src.open('model.safetensors');
    const want = readFileSync(join(STORIES, 'model.safetensors')).subarray(5000, 105000);
    hub.cutNext('model.safetensors', 1);
    expect(Buffer.from(await bs.read(5000, 100000))).toEqual(want);
    expect(gets(hub, '/cdn/').filter((r) => r.range === 'bytes=5000-104999').length).toBe(2);
  });

  it('retries a whole-file download that is cut, and gives up after the bounded attempts', async () => {
    const src = httpSource(base(hub, 'local/stories260k'), { cache: null, attempts: 3, ...fast });
    hub.cutNext('tokenizer.json', 2);
    expect(await src.text('tokenizer.json')).toBe(readFileSync(join(STORIES, 'tokenizer.json'), 'utf8'));
    expect(gets(hub, 'tokenizer.json').length).toBe(3);
    hub.log.length = 0;
    hub.cutNext('tokenizer.json', 3);
    await expect(src.text('tokenizer.json')).rejects.toThrow(/downloading tokenizer\.json failed after 3 attempts/);
    expect(gets(hub, 'tokenizer.json').length).toBe(3);
    hub.cutNext('tokenizer.json', 0);
  });

  it('falls back to one whole download when the server ignores Range', async () => {
    const src = httpSource(base(plain, 'local/stories260k'), { cache: null, ...fast });
    const bs = await src.open('model.safetensors');
    const { tensors } = await readSafetensorsHeader(bs);
    expect(tensors.size).toBe(47);
    expect(gets(plain, '/cdn/').length).toBe(1);
  });

  it('notices a file that changes on the server between reads (If-Range)', async () => {
    const changing = await startHubServer({ repos: { 'x/y': STORIES } });
    try {
      const src = httpSource(base(changing, 'x/y'), { cache: null, ...fast });
      const bs = await src.open('model.safetensors');
      await bs.read(0, 8);
      changing.replace('x/y', 'model.safetensors', new Uint8Array(bs.size).fill(7));
      await expect(bs.read(8, 64)).rejects.toThrow(/changed on the server while loading/);
    } finally {
      await changing.close();
    }
  });

  it('refuses bad base URLs and file names before fetching', async () => {
    expect(() => httpSource('not a url')).toThrow(/is not a URL/);
    expect(() => httpSource('file:///etc/')).toThrow(/only http and https/);
    expect(() => httpSource('http://127.0.0.1:1/m/?x=1')).toThrow(/query or fragment/);
    let calls = 0;
    const src = httpSource(base(hub, 'local/stories260k'), { cache: null, fetch: async () => (calls++, new Response('')) });
    await expect(src.text('../../secrets')).rejects.toThrow(ModelSourceError);
    await expect(src.open('a/../../b')).rejects.toThrow(/"\.\." segment/);
    expect(calls).toBe(0);
  });
});

describe('httpSource with a cache: each file downloaded once, never stored half-written', () => {
  it('downloads once, then serves from the cache (also for a new source over the same cache)', async () => {
    const cache = new MemoryCache();
    const progress: DownloadProgress[] = [];
    const src = httpSource(base(hub, 'local/stories260k'), { cache: cache.asCache(), onProgress: (p) => progress.push(p), ...fast });
    const idx = await openWeights(src);
    const info = idx.tensors.get('model.embed_tokens.weight')!;
    await readTensorRows(await idx.open(info.file), info, 0, 512);
    await src.text('config.json');
    await src.text('config.json');
    expect(gets(hub, 'model.safetensors').filter((r) => r.path.startsWith('/cdn/')).length).toBe(1);
    expect(gets(hub, 'config.json').length).toBe(1);
    const size = readFileSync(join(STORIES, 'model.safetensors')).length;
    expect(progress.filter((p) => p.file === 'model.safetensors').at(-1)).toEqual({ file: 'model.safetensors', loaded: size, total: size });

    hub.log.length = 0;
    const again = httpSource(base(hub, 'local/stories260k'), { cache: cache.asCache(), ...fast });
    expect(await again.has('model.safetensors')).toBe(true);
    const idx2 = await openWeights(again);
    expect(await readTensorRows(await idx2.open('model.safetensors'), idx2.tensors.get(info.name)!, 3, 2)).toEqual(await readTensorRows(await idx.open(info.file), info, 3, 2));
    expect(hub.log.filter((r) => r.path.endsWith('/model.safetensors'))).toEqual([]);
  });

  it('a cached model loads offline', async () => {
    const cache = new MemoryCache();
    const online = httpSource(base(hub, 'local/stories260k'), { cache: cache.asCache(), ...fast });
    await openWeights(online);
    await online.text('config.json');
    await loadTokenizer(online);
    let calls = 0;
    const offline = httpSource(base(hub, 'local/stories260k'), {
      cache: cache.asCache(),
      fetch: async () => {
        calls++;
        throw new TypeError('fetch failed');
      },
      ...fast,
    });
    expect(parseConfig(JSON.parse(await offline.text('config.json'))).arch).toBe('llama');
    expect((await openWeights(offline)).tensors.size).toBe(47);
    expect((await loadTokenizer(offline)).encode('Once upon a time')).toEqual([403, 407, 261, 378]);
    expect(calls).toBeGreaterThan(0);
    await expect(offline.text('generation_config.json')).rejects.toThrow(/failed after 3 attempts: fetch failed/);
  });

  it('a cut download is retried and only the complete file is stored', async () => {
    const cache = new MemoryCache();
    const src = httpSource(base(hub, 'fixtures/gpt-neox-tiny'), { cache: cache.asCache(), ...fast });
    hub.cutNext('model.safetensors', 1);
    const bs = await src.open('model.safetensors');
    const file = readFileSync(join(NEOX, 'model.safetensors'));
    expect(bs.size).toBe(file.length);
    expect(gets(hub, '/cdn/').length).toBe(2);
    expect(cache.entries.size).toBe(1);
    expect([...cache.entries.values()][0].body.length).toBe(file.length);
    expect(Buffer.from(await bs.read(file.length - 4096, 4096))).toEqual(file.subarray(file.length - 4096));
  });

  it('when every attempt is cut, the load fails and the cache holds nothing', async () => {
    const cache = new MemoryCache();
    const src = httpSource(base(hub, 'fixtures/gpt-neox-tiny'), { cache: cache.asCache(), attempts: 2, ...fast });
    hub.cutNext('model.safetensors', 2);
    await expect(src.open('model.safetensors')).rejects.toThrow(/downloading model\.safetensors failed after 2 attempts/);
    expect(cache.puts).toBe(2);
    expect(cache.entries.size).toBe(0);
    // The failure is not remembered: the next attempt downloads afresh and succeeds.
    expect((await src.open('model.safetensors')).size).toBe(readFileSync(join(NEOX, 'model.safetensors')).length);
    expect(cache.entries.size).toBe(1);
  });

  it('a short body with an honest-looking Content-Length is never cached', async () => {
    const cache = new MemoryCache();
    const lying: typeof fetch = async () => new Response(new Uint8Array(10), { headers: { 'Content-Length': '20' } });
    const src = httpSource('http://127.0.0.1:9/m/', { cache: cache.asCache(), fetch: lying, attempts: 2, ...fast });
    await expect(src.text('config.json')).rejects.toThrow(/received 10 of 20 bytes/);
    expect(cache.entries.size).toBe(0);
  });
});

describe('sharded checkpoints over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-http-shards-'));
  let server: HubServer;
  beforeAll(async () => {
    const header = (name: string) => JSON.stringify({ [name]: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    const write = (file: string, name: string, values: number[]) => {
      const h = new TextEncoder().encode(header(name));
      const out = new Uint8Array(8 + h.length + 8);
      new DataView(out.buffer).setUint32(0, h.length, true);
      out.set(h, 8);
      out.set(new Uint8Array(new Float32Array(values).buffer), 8 + h.length);
      writeFileSync(join(dir, file), out);
    };
    write('model-00001-of-00002.safetensors', 'a', [1, 2]);
    write('model-00002-of-00002.safetensors', 'b', [3, 4]);
    copyFileSync(join(STORIES, 'config.json'), join(dir, 'config.json'));
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00003-of-00002.safetensors' } }));
    server = await startHubServer({ repos: { 's/sharded': dir } });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the shard the server does not have', async () => {
    await expect(openWeights(httpSource(base(server, 's/sharded'), { cache: null, ...fast }))).rejects.toThrow(/shard model-00003-of-00002\.safetensors named in model\.safetensors\.index\.json is missing/);
  });

  it('reads tensors across shards', async () => {
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }));
    const idx = await openWeights(httpSource(base(server, 's/sharded'), { cache: null, ...fast }));
    const b = idx.tensors.get('b')!;
    expect(b.file).toBe('model-00002-of-00002.safetensors');
    expect(Array.from(await readTensorRows(await idx.open(b.file), b, 0, 2))).toEqual([3, 4]);
  });
});
