import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelsMiddleware, type ModelIndexEntry } from '../../src/devserver/models-middleware.ts';
import { FIXTURE_PREFIX, modelRoots, type ModelRoot } from '../../src/devserver/model-roots.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const SECRET = 'TOP-SECRET-NOT-A-MODEL';
const WEIGHTS = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff));

let base: string;
let roots: ModelRoot[];
let server: Server;
let port: number;

/**
 * Sends the request line byte for byte. fetch() and http.request() normalise `..` and
 * `%2e%2e` or refuse NUL and backslashes on the client side, which would hide exactly the
 * requests the server must survive.
 */
function rawRequest(target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const parsed: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolvePromise({ status, headers: parsed, body: all.subarray(split + 4) });
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`, 'latin1'));
  });
}

async function index(): Promise<ModelIndexEntry[]> {
  const res = await rawRequest('/models/index.json');
  expect(res.status).toBe(200);
  return JSON.parse(res.body.toString('utf8')) as ModelIndexEntry[];
}

function file(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'protolab-models-'));
  file(join(base, 'secret.txt'), SECRET);
  file(join(base, 'elsewhere', 'model', 'config.json'), '{"outside":true}');

  const a = join(base, 'roots', 'a');
  file(join(a, 'tiny', 'config.json'), '{"model_type":"llama"}');
  file(join(a, 'tiny', 'model.safetensors'), WEIGHTS);
  file(join(a, 'tiny', 'tokenizer.json'), '{"version":"1.0"}');
  file(join(a, 'tiny', 'onnx', 'model.onnx'), 'onnx');
  file(join(a, 'tiny', '.hidden'), SECRET);
  file(join(a, 'tiny', 'bad name.txt'), SECRET);
  file(join(a, 'tiny', 'empty.bin'), '');
  symlinkSync(join(base, 'secret.txt'), join(a, 'tiny', 'leak.json'));
  symlinkSync('../../../secret.txt', join(a, 'tiny', 'leak-relative.json'));
  symlinkSync(join(base, 'elsewhere'), join(a, 'tiny', 'linked-dir'));
  symlinkSync('config.json', join(a, 'tiny', 'alias.json'));
  symlinkSync(join(base, 'elsewhere', 'model'), join(a, 'outside-model'));
  symlinkSync('tiny', join(a, 'tiny-alias'));
  file(join(a, 'notamodel', 'readme.txt'), 'no config here');
  file(join(a, 'index.json', 'config.json'), '{}');

  file(join(base, 'roots', 'single', 'config.json'), '{"single":true}');
  file(join(base, 'roots', 'b', 'tiny', 'config.json'), '{"fixture":true}');

  roots = [
    { dir: a, prefix: '' },
    { dir: join(base, 'roots', 'single'), prefix: '' },
    { dir: join(base, 'roots', 'b'), prefix: FIXTURE_PREFIX },
    { dir: join(base, 'roots', 'missing'), prefix: '' },
  ];
  const middleware = createModelsMiddleware(() => roots);
  server = createServer((req, res) => {
    middleware(req, res, () => {
      res.writeHead(418, { 'Content-Length': 4 }).end('next');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(base, { recursive: true, force: true });
});

describe('GET /models/index.json', () => {
  it('lists model folders with their servable files and total size', async () => {
    const models = await index();
    expect(models.map((m) => m.name)).toEqual(['fixtures-tiny', 'single', 'tiny', 'tiny-alias']);
    const tiny = models.find((m) => m.name === 'tiny')!;
    expect(tiny.files).toEqual(['alias.json', 'config.json', 'empty.bin', 'model.safetensors', 'onnx/model.onnx', 'tokenizer.json']);
    expect(tiny.bytes).toBe(2 * 22 + 1024 + 4 + 17);
  });

  it('picks up folders added while the server runs', async () => {
    file(join(base, 'roots', 'a', 'late', 'config.json'), '{}');
    expect((await index()).map((m) => m.name)).toContain('late');
  });

  it('answers HEAD without a body', async () => {
    const res = await rawRequest('/models/index.json', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.length).toBe(0);
  });
});

describe('GET /models/<name>/<file>', () => {
  it('serves a file with length, validators and its content type', async () => {
    const res = await rawRequest('/models/tiny/config.json');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"model_type":"llama"}');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe('22');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers['last-modified']).toBeDefined();
  });

  it('serves weights as octet-stream, byte for byte', async () => {
    const res = await rawRequest('/models/tiny/model.safetensors');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body.equals(WEIGHTS)).toBe(true);
  });

  it('serves nested files, in-folder symlinks, empty files, and ignores the query', async () => {
    expect((await rawRequest('/models/tiny/onnx/model.onnx')).body.toString()).toBe('onnx');
    expect((await rawRequest('/models/tiny/alias.json')).body.toString()).toBe('{"model_type":"llama"}');
    expect((await rawRequest('/models/tiny/config.json?v=3')).status).toBe(200);
    const empty = await rawRequest('/models/tiny/empty.bin');
    expect(empty.status).toBe(200);
    expect(empty.headers['content-length']).toBe('0');
  });

  it('keeps a clashing fixture reachable under its prefix', async () => {
    expect((await rawRequest('/models/tiny/config.json')).body.toString()).toBe('{"model_type":"llama"}');
    expect((await rawRequest('/models/fixtures-tiny/config.json')).body.toString()).toBe('{"fixture":true}');
    expect((await rawRequest('/models/single/config.json')).body.toString()).toBe('{"single":true}');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await rawRequest('/models/tiny/config.json');
    const again = await rawRequest('/models/tiny/config.json', { 'If-None-Match': first.headers.etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers HEAD with headers only', async () => {
    const res = await rawRequest('/models/tiny/model.safetensors', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('1024');
    expect(res.body.length).toBe(0);
  });

  it('refuses other methods', async () => {
    const res = await rawRequest('/models/tiny/config.json', {}, 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('passes requests outside /models/ on', async () => {
    expect((await rawRequest('/')).status).toBe(418);
    expect((await rawRequest('/models')).status).toBe(418);
    expect((await rawRequest('/src/main.tsx')).status).toBe(418);
  });

  it('answers 404 for unknown models and files', async () => {
    expect((await rawRequest('/models/nope/config.json')).status).toBe(404);
    expect((await rawRequest('/models/tiny/nope.json')).status).toBe(404);
    expect((await rawRequest('/models/notamodel/readme.txt')).status).toBe(404);
    expect((await rawRequest('/models/tiny/onnx')).status).toBe(404);
  });
});

describe('Range requests', () => {
  const cases: [string, number, number][] = [
    ['bytes=0-9', 0, 9],
    ['bytes=1000-', 1000, 1023],
    ['bytes=-16', 1008, 1023],
    ['bytes=1020-5000', 1020, 1023],
    ['bytes=512-512', 512, 512],
  ];
  it.each(cases)('%s gives 206 with the right slice', async (range, start, end) => {
    const res = await rawRequest('/models/tiny/model.safetensors', { Range: range });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/1024`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(res.body.equals(WEIGHTS.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 to a range past the end', async () => {
    const res = await rawRequest('/models/tiny/model.safetensors', { Range: 'bytes=2000-3000' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */1024');
  });

  it('sends the whole file for several ranges or a stale If-Range', async () => {
    const multi = await rawRequest('/models/tiny/model.safetensors', { Range: 'bytes=0-1,5-6' });
    expect(multi.status).toBe(200);
    expect(multi.body.length).toBe(1024);
    const stale = await rawRequest('/models/tiny/model.safetensors', { Range: 'bytes=0-9', 'If-Range': '"0-0"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(1024);
  });

  it('honours If-Range when the ETag still matches', async () => {
    const { headers } = await rawRequest('/models/tiny/model.safetensors', {}, 'HEAD');
    const res = await rawRequest('/models/tiny/model.safetensors', { Range: 'bytes=0-9', 'If-Range': headers.etag });
    expect(res.status).toBe(206);
    expect(res.body.equals(WEIGHTS.subarray(0, 10))).toBe(true);
  });
});

describe('refuses everything outside a model folder', () => {
  const deep = '../'.repeat(12);
  const targets = () => [
    `/models/${deep}etc/passwd`,
    '/models/../../etc/passwd',
    `/models/tiny/${deep}etc/passwd`,
    '/models/tiny/../../../secret.txt',
    '/models/tiny/../../../../secret.txt',
    '/models/%2e%2e/%2e%2e/%2e%2e/secret.txt',
    '/models/tiny/%2e%2e/%2e%2e/%2e%2e/secret.txt',
    '/models/tiny/%2E%2E%2F%2E%2E%2F%2E%2E%2Fsecret.txt',
    '/models/tiny/%252e%252e/%252e%252e/%252e%252e/secret.txt',
    '/models/tiny/%25252e%25252e/secret.txt',
    '/models/tiny/..%2f..%2f..%2fsecret.txt',
    '/models/tiny/..%5c..%5c..%5csecret.txt',
    '/models/tiny\\..\\..\\..\\secret.txt',
    '/models/tiny/..\\..\\..\\secret.txt',
    '/models/tiny/config.json%00',
    '/models/tiny/config.json%00.txt',
    '/models/tiny/config.json\u0000',
    '/models//etc/passwd',
    '/models/tiny//etc/passwd',
    `/models/tiny/${encodeURIComponent(join(base, 'secret.txt'))}`,
    `/models/tiny${join(base, 'secret.txt')}`,
    '/models/tiny/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt',
    '/models/tiny/.hidden',
    '/models/tiny/%2ehidden',
    '/models/tiny/bad%20name.txt',
    '/models/tiny/leak.json',
    '/models/tiny/leak-relative.json',
    '/models/tiny/linked-dir/model/config.json',
    '/models/outside-model/config.json',
    '/models/index.json/config.json',
    '/models/tiny-alias/../tiny/config.json',
  ];

  it('never returns the secret or /etc/passwd, only 400 or 404', async () => {
    for (const target of targets()) {
      const res = await rawRequest(target);
      const body = res.body.toString('latin1');
      expect.soft([400, 404], target).toContain(res.status);
      expect.soft(body, target).not.toContain(SECRET);
      expect.soft(body, target).not.toContain('root:');
      expect.soft(body, target).not.toContain('"outside"');
    }
  });

  it('does not list symlinks that leave the folder or hidden files', async () => {
    const names = (await index()).flatMap((m) => m.files.map((f) => `${m.name}/${f}`));
    for (const refused of ['tiny/leak.json', 'tiny/leak-relative.json', 'tiny/.hidden', 'tiny/bad name.txt', 'tiny/linked-dir/model/config.json']) {
      expect(names).not.toContain(refused);
    }
    expect(names.some((n) => n.startsWith('outside-model/') || n.startsWith('index.json/'))).toBe(false);
  });
});

describe('the lab roots', () => {
  it('finds stories260k in assets/models and the fixtures under fixtures-', async () => {
    const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
    const saved = roots;
    roots = modelRoots(repoRoot, {});
    try {
      const models = await index();
      const names = models.map((m) => m.name);
      expect(names).toContain('stories260k');
      expect(names).toContain('fixtures-stories260k');
      const stories = models.find((m) => m.name === 'stories260k')!;
      expect(stories.files).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']));
      const config = await rawRequest('/models/stories260k/config.json');
      expect(config.status).toBe(200);
      expect(JSON.parse(config.body.toString()).model_type).toBe('llama');
    } finally {
      roots = saved;
    }
  });
});

describe('Hugging Face cache snapshots, served in place', () => {
  const COMMIT = 'c'.repeat(40);
  const OTHER_SECRET = 'OTHER-REPO-BLOB';
  let cache: string;
  let snapshot: string;

  /** A cache repo: blobs, refs/main and a snapshot whose files link into ../../blobs, as huggingface_hub writes it. */
  function cacheRepo(folder: string, commit: string, blobs: Record<string, string | Buffer>, links: Record<string, string>): string {
    const repo = join(cache, folder);
    for (const [name, content] of Object.entries(blobs)) file(join(repo, 'blobs', name), content);
    file(join(repo, 'refs', 'main'), commit);
    const snap = join(repo, 'snapshots', commit);
    for (const [path, target] of Object.entries(links)) {
      mkdirSync(dirname(join(snap, path)), { recursive: true });
      symlinkSync(target, join(snap, path));
    }
    return snap;
  }

  beforeAll(() => {
    cache = join(base, 'hf-cache');
    snapshot = cacheRepo(
      'models--acme--tiny',
      COMMIT,
      { aaa1: '{"model_type":"llama"}', bbb2: WEIGHTS, ccc3: 'onnx-bytes' },
      {
        'config.json': '../../blobs/aaa1',
        'model.safetensors': '../../blobs/bbb2',
        'onnx/model.onnx': '../../../blobs/ccc3',
        'other.json': '../../../models--other--repo/blobs/ddd4',
        'leak.json': '../../../../../secret.txt',
        'ref.json': '../../refs/main',
        'chain.json': '../../blobs/eee5',
      },
    );
    // A blob that is itself a link out of the cache: its real path is not in blobs/.
    symlinkSync(join(base, 'secret.txt'), join(cache, 'models--acme--tiny', 'blobs', 'eee5'));
    cacheRepo('models--other--repo', 'd'.repeat(40), { ddd4: OTHER_SECRET, fff6: '{"other":true}' }, { 'config.json': '../../blobs/fff6' });
    // A repo whose blobs/ is itself a link elsewhere: nothing is served through it.
    file(join(base, 'elsewhere-blobs', 'ggg7'), '{"outside":true}');
    mkdirSync(join(cache, 'models--sneaky--x', 'snapshots', 'e'.repeat(40)), { recursive: true });
    symlinkSync(join(base, 'elsewhere-blobs'), join(cache, 'models--sneaky--x', 'blobs'));
    file(join(cache, 'models--sneaky--x', 'refs', 'main'), 'e'.repeat(40));
    symlinkSync('../../blobs/ggg7', join(cache, 'models--sneaky--x', 'snapshots', 'e'.repeat(40), 'config.json'));
  });

  async function withRoots<T>(next: ModelRoot[], fn: () => Promise<T>): Promise<T> {
    const saved = roots;
    roots = next;
    try {
      return await fn();
    } finally {
      roots = saved;
    }
  }

  it('serves a snapshot folder in place, named after its repo, with Range support', async () => {
    await withRoots([{ dir: snapshot, prefix: '' }], async () => {
      const models = await index();
      expect(models.map((m) => m.name)).toEqual(['acme--tiny']);
      expect(models[0].files).toEqual(['config.json', 'model.safetensors', 'onnx/model.onnx']);
      expect((await rawRequest('/models/acme--tiny/config.json')).body.toString()).toBe('{"model_type":"llama"}');
      const weights = await rawRequest('/models/acme--tiny/model.safetensors');
      expect(weights.status).toBe(200);
      expect(weights.body.equals(WEIGHTS)).toBe(true);
      const part = await rawRequest('/models/acme--tiny/model.safetensors', { Range: 'bytes=10-19' });
      expect(part.status).toBe(206);
      expect(part.body.equals(WEIGHTS.subarray(10, 20))).toBe(true);
      expect((await rawRequest('/models/acme--tiny/onnx/model.onnx')).body.toString()).toBe('onnx-bytes');
    });
  });

  it('serves every repo of a cache folder (HF_HUB_CACHE) or one repo folder at its main snapshot', async () => {
    await withRoots([{ dir: cache, prefix: '' }], async () => {
      expect((await index()).map((m) => m.name)).toEqual(['acme--tiny', 'other--repo', 'sneaky--x']);
      expect((await rawRequest('/models/other--repo/config.json')).body.toString()).toBe('{"other":true}');
    });
    await withRoots([{ dir: join(cache, 'models--acme--tiny'), prefix: '' }], async () => {
      expect((await index()).map((m) => m.name)).toEqual(['acme--tiny']);
      expect((await rawRequest('/models/acme--tiny/model.safetensors')).body.equals(WEIGHTS)).toBe(true);
    });
  });

  it("refuses links into another repo's blobs, out of the cache, to refs, through a linked blob or a linked blobs/", async () => {
    for (const dir of [snapshot, cache]) {
      await withRoots([{ dir, prefix: '' }], async () => {
        const names = (await index()).flatMap((m) => m.files.map((f) => `${m.name}/${f}`));
        for (const refused of ['acme--tiny/other.json', 'acme--tiny/leak.json', 'acme--tiny/ref.json', 'acme--tiny/chain.json', 'sneaky--x/config.json']) {
          expect(names, dir).not.toContain(refused);
        }
        for (const target of ['/models/acme--tiny/other.json', '/models/acme--tiny/leak.json', '/models/acme--tiny/ref.json', '/models/acme--tiny/chain.json', '/models/sneaky--x/config.json']) {
          const res = await rawRequest(target);
          expect.soft(res.status, target).toBe(404);
          const body = res.body.toString('latin1');
          for (const secret of [SECRET, OTHER_SECRET, COMMIT, '"outside"']) expect.soft(body, target).not.toContain(secret);
        }
      });
    }
  });
});
