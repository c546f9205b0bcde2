import { ASSETS } from '../helpers/fixtures.ts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/model/config.ts';
import { readTensorRows } from '../../src/model/safetensors.ts';
import { openWeights } from '../../src/model/shards.ts';
import { hubFileUrl, HubNameError, hubSource, validateRepoId, validateRevision } from '../../src/model/sources/hub.ts';
import { ModelFileNotFoundError, ModelSourceError } from '../../src/model/sources/source.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { MemoryCache, startHubServer, type HubServer } from '../helpers/hub-server.ts';

const STORIES = `${ASSETS}models/stories260k`;
const NEOX = `${ASSETS}fixtures/gpt-neox-tiny`;
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('repo id and revision validation', () => {
  it('accepts real repo ids', () => {
    for (const ok of ['EleutherAI/pythia-70m', 'karpathy/tinyllamas', 'a/b', 'user_1/model.v2', 'HuggingFaceTB/SmolLM2-135M', '_x/y_', `o/${'n'.repeat(96)}`]) {
      expect(() => validateRepoId(ok), ok).not.toThrow();
    }
  });

  it('refuses traversal, missing owner and odd characters', () => {
    const bad = [
      '', 'pythia-70m', 'a/b/c', '../etc/passwd', '../x', 'a/..', '..%2f/x', 'a/.hidden', 'a/-x', 'a/x-', 'a/x.', '.a/b', '-a/b',
      'a/x..y', 'a/x--y', 'a b/c', 'a/b%2F..', 'a/b?x=1', 'a/b#x', 'a\\b/c', '/a/b', 'a/b/', `a/${'x'.repeat(97)}`, 'a/b.git',
      'ü/x', 'a/b\n', 'a/b;rm', 'a:b/c',
    ];
    for (const id of bad) expect(() => validateRepoId(id), JSON.stringify(id)).toThrow(HubNameError);
  });

  it('accepts branches, tags, PR refs and commit shas', () => {
    for (const ok of ['main', 'v1.0', 'refs/pr/1', SHA, 'release-2024_01', 'step143000', 'feature/x.y']) expect(() => validateRevision(ok), ok).not.toThrow();
  });

  it('refuses path tricks in revisions', () => {
    const bad = ['', '..', '../main', 'main/../x', 'a//b', '/main', 'main/', '.hidden', 'main.', 'main.lock', 'a b', 'main?x=1', 'main#x', '%2e%2e', 'x\\y', 'x'.repeat(256), 'a/./b', 'main@{1}', 'a:b'];
    for (const rev of bad) expect(() => validateRevision(rev), JSON.stringify(rev)).toThrow(HubNameError);
  });

  it('validates before building or fetching any URL', () => {
    let calls = 0;
    const spy: typeof fetch = async () => (calls++, new Response(''));
    expect(() => hubSource('../../admin', 'main', { fetch: spy })).toThrow(/invalid Hugging Face repo id/);
    expect(() => hubSource('a/b', '../../../x', { fetch: spy })).toThrow(/invalid revision/);
    expect(() => hubSource('a/b', 'main', { endpoint: 'ftp://example.com', fetch: spy })).toThrow(/must be http or https/);
    expect(() => hubSource('a/b', 'main', { endpoint: 'http://127.0.0.1:1/?token=x', fetch: spy })).toThrow(/query or a fragment/);
    expect(() => hubSource('a/b', 'main', { endpoint: 'http://user:pw@127.0.0.1:1', fetch: spy })).toThrow(/credentials/);
    expect(calls).toBe(0);
  });

  it('builds the Hub resolve URL, percent-encoding a revision with slashes', () => {
    expect(hubFileUrl('EleutherAI/pythia-70m', 'main', 'config.json')).toBe('https://huggingface.co/EleutherAI/pythia-70m/resolve/main/config.json');
    expect(hubFileUrl('a/b', 'refs/pr/1', 'model.safetensors', 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/a/b/resolve/refs%2Fpr%2F1/model.safetensors');
    expect(() => hubFileUrl('a/b', 'main', '../x')).toThrow(ModelSourceError);
  });
});

describe('hubSource against a local Hub stand-in', () => {
  let hub: HubServer;
  beforeAll(async () => {
    hub = await startHubServer({ repos: { 'local/stories260k': STORIES, 'EleutherAI/tiny-neox': NEOX }, revisions: ['main', 'refs/pr/1', SHA] });
  });
  afterAll(() => hub.close());
  beforeEach(() => {
    hub.log.length = 0;
  });
  const opts = () => ({ endpoint: hub.url, cache: null, retryDelayMs: 5 });

  it('loads a whole model: config, weights through the CDN redirect, tokenizer', async () => {
    const src = hubSource('local/stories260k', 'main', opts());
    expect(src.describe).toBe('local/stories260k@main');
    const spec = parseConfig(JSON.parse(await src.text('config.json')));
    const idx = await openWeights(src);
    expect(idx.tensors.size).toBe(47);
    const emb = idx.tensors.get('model.embed_tokens.weight')!;
    expect((await readTensorRows(await idx.open(emb.file), emb, 0, spec.vocabSize)).length).toBe(512 * 64);
    const tok = await loadTokenizer(src);
    expect(tok.encode('Once upon a time')).toEqual([403, 407, 261, 378]);
    expect(hub.log.some((r) => r.status === 302 && r.path === '/local/stories260k/resolve/main/model.safetensors')).toBe(true);
    expect(hub.log.some((r) => r.status === 206 && r.path.startsWith('/cdn/local/stories260k/'))).toBe(true);
    expect(hub.log.find((r) => r.path.endsWith('/config.json'))?.status).toBe(200);
  });

  it('works at a PR ref and a commit sha', async () => {
    for (const rev of ['refs/pr/1', SHA]) {
      const src = hubSource('EleutherAI/tiny-neox', rev, opts());
      expect(parseConfig(JSON.parse(await src.text('config.json'))).arch).toBe('gpt_neox');
      expect((await loadTokenizer(src)).encode('Hello, I am')).toEqual([12092, 13, 309, 717]);
    }
    expect(hub.log.some((r) => r.path.startsWith('/EleutherAI/tiny-neox/resolve/refs%2Fpr%2F1/'))).toBe(true);
  });

  it('explains a missing file, an unknown revision and an inaccessible repo', async () => {
    const missing = await hubSource('local/stories260k', 'main', opts()).open('model-00001-of-00002.safetensors').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ModelFileNotFoundError);
    expect((missing as Error).message).toMatch(/local\/stories260k@main .*the repo has no file model-00001-of-00002\.safetensors at main/);
    await expect(hubSource('local/stories260k', 'v9', opts()).text('config.json')).rejects.toThrow(/no branch, tag or commit "v9"/);
    await expect(hubSource('someone/private-model', 'main', opts()).text('config.json')).rejects.toThrow(/HTTP 401.*does not exist, is private, or is gated/);
    await expect(hubSource('someone/private-model', 'main', opts()).has('config.json')).rejects.toThrow(/HTTP 401/);
    expect(await hubSource('local/stories260k', 'main', opts()).has('model.safetensors.index.json')).toBe(false);
  });

  it('downloads each file once into the cache, retrying a cut transfer', async () => {
    const cache = new MemoryCache();
    const progress: number[] = [];
    const src = hubSource('EleutherAI/tiny-neox', 'main', { ...opts(), cache: cache.asCache(), onProgress: (p) => p.file === 'model.safetensors' && progress.push(p.loaded) });
    hub.cutNext('model.safetensors', 1);
    const idx = await openWeights(src);
    const emb = idx.tensors.get('gpt_neox.embed_in.weight')!;
    const last = await readTensorRows(await idx.open(emb.file), emb, 50303, 1);
    expect(last.length).toBe(64);
    const size = readFileSync(`${NEOX}/model.safetensors`).length;
    expect(progress.at(-1)).toBe(size);
    expect(hub.log.filter((r) => r.method === 'GET' && r.path.startsWith('/cdn/')).length).toBe(2);
    expect([...cache.entries.values()].map((e) => e.body.length)).toEqual([size]);
    hub.log.length = 0;
    const again = hubSource('EleutherAI/tiny-neox', 'main', { ...opts(), cache: cache.asCache() });
    await again.open('model.safetensors');
    expect(hub.log.filter((r) => r.path.endsWith('model.safetensors'))).toEqual([]);
  });
});
