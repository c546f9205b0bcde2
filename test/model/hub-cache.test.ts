import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveCliModel } from '../../src/cli/model-dir.ts';
import { encodeSafetensors, readTensor } from '../../src/model/safetensors.ts';
import { INDEX_FILE, openWeights } from '../../src/model/shards.ts';
import { findCachedSnapshot, hubCacheDir, missingModelFiles, repoFolderName } from '../../src/model/sources/hf-cache.ts';
import { downloadHubModel, HubDownloadError } from '../../src/model/sources/hub-download.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { startHubServer, type HubServer } from '../helpers/hub-server.ts';

const REPO = 'local/stories260k';
const SHA = 'fedcba9876543210fedcba9876543210fedcba98';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const weights = new Uint8Array(readFileSync(`${STORIES}/model.safetensors`));

let base: string;
let sharded: string;
let noTokenizer: string;
let hub: HubServer;
let n = 0;
/** A fresh, empty cache folder per test. */
const freshCache = () => join(base, `cache-${++n}`);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'protolab-hf-cache-'));
  // A sharded checkpoint: stories260k's tensors split over two files and an index.
  sharded = join(base, 'repo-sharded');
  mkdirSync(sharded);
  for (const f of ['config.json', 'tokenizer.json']) writeFileSync(join(sharded, f), readFileSync(join(STORIES, f)));
  const single = await openWeights(nodeFolderSource(STORIES));
  const names = [...single.tensors.keys()].sort();
  const map: Record<string, string> = {};
  for (const [i, part] of [names.slice(0, 20), names.slice(20)].entries()) {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    const tensors = await Promise.all(part.map(async (name) => {
      const info = single.tensors.get(name)!;
      map[name] = file;
      return { name, shape: info.shape, data: await readTensor(await single.open(info.file), info) };
    }));
    writeFileSync(join(sharded, file), encodeSafetensors(tensors, { format: 'pt' }));
  }
  writeFileSync(join(sharded, INDEX_FILE), JSON.stringify({ metadata: {}, weight_map: map }));
  noTokenizer = join(base, 'repo-no-tokenizer');
  mkdirSync(noTokenizer);
  for (const f of ['config.json', 'model.safetensors']) writeFileSync(join(noTokenizer, f), readFileSync(join(STORIES, f)));

  hub = await startHubServer({
    repos: { [REPO]: STORIES, 'local/sharded': sharded, 'local/no-tokenizer': noTokenizer, 'gated/stories': STORIES },
    revisions: ['main', 'v1', SHA],
    gated: { 'gated/stories': 'hf_secret' },
    separateCdn: true,
  });
});
afterAll(async () => {
  await hub.close();
  rmSync(base, { recursive: true, force: true });
});
beforeEach(() => {
  hub.log.length = 0;
  hub.cutNext('model.safetensors', 0);
});

const opts = (cacheDir: string, extra: Partial<Parameters<typeof downloadHubModel>[2]> = {}) => ({ cacheDir, endpoint: hub.url, retryDelayMs: 5, ...extra });
const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => f.split('\\').join('/')).sort();

describe('hubCacheDir', () => {
  const home = resolve('/home/u');
  it('is HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/c/hub', HF_HOME: '/h', XDG_CACHE_HOME: '/x' }, home)).toBe(resolve('/c/hub'));
    expect(hubCacheDir({ HF_HOME: '/h', XDG_CACHE_HOME: '/x' }, home)).toBe(resolve('/h/hub'));
    expect(hubCacheDir({ XDG_CACHE_HOME: '/x' }, home)).toBe(resolve('/x/huggingface/hub'));
    expect(hubCacheDir({}, home)).toBe(resolve('/home/u/.cache/huggingface/hub'));
  });
  it('expands ~, ignores blank values and honours the legacy HUGGINGFACE_HUB_CACHE below HF_HUB_CACHE', () => {
    expect(hubCacheDir({ HF_HOME: '~/hf' }, home)).toBe(resolve('/home/u/hf/hub'));
    expect(hubCacheDir({ HF_HUB_CACHE: '  ', HF_HOME: '/h' }, home)).toBe(resolve('/h/hub'));
    expect(hubCacheDir({ HUGGINGFACE_HUB_CACHE: '/old', HF_HOME: '/h' }, home)).toBe(resolve('/old'));
    expect(hubCacheDir({ HUGGINGFACE_HUB_CACHE: '/old', HF_HUB_CACHE: '/new' }, home)).toBe(resolve('/new'));
  });
});

describe('downloading a Hub model into the Hugging Face cache', () => {
  it("writes huggingface_hub's layout: refs, blobs named by ETag, relative snapshot links, .no_exist", async () => {
    const cache = freshCache();
    const progress: string[] = [];
    const got = await downloadHubModel(REPO, 'main', opts(cache, { onProgress: (p) => progress.push(`${p.file}:${p.loaded}/${p.total}`) }));
    const commit = hub.commitOf(REPO, 'main');
    const repoDir = join(cache, 'models--local--stories260k');
    expect(repoFolderName(REPO)).toBe('models--local--stories260k');
    expect(got).toEqual({ dir: join(repoDir, 'snapshots', commit), commit });
    expect(readFileSync(join(repoDir, 'refs', 'main'), 'utf8')).toBe(commit);

    const served = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
    const blobs = served.map((f) => sha256(readFileSync(join(STORIES, f))));
    expect(files(join(repoDir, 'blobs'))).toEqual([...blobs].sort());
    expect(files(got.dir)).toEqual(served);
    for (const [i, f] of served.entries()) {
      const link = join(got.dir, f);
      expect(lstatSync(link).isSymbolicLink(), f).toBe(true);
      expect(readlinkSync(link)).toBe(join('..', '..', 'blobs', blobs[i]));
      expect(readFileSync(link).equals(readFileSync(join(STORIES, f)))).toBe(true);
    }
    // What the repo lacks is recorded as huggingface_hub records it, so nobody asks again at this commit.
    expect(files(join(repoDir, '.no_exist', commit))).toEqual([INDEX_FILE, 'special_tokens_map.json'].sort());
    expect(files(repoDir).some((f) => f.endsWith('.incomplete'))).toBe(false);
    expect(progress.at(-1)).toBe(`model.safetensors:${weights.length}/${weights.length}`);

    // The weights came from the CDN; the resolve endpoint answered HEADs with the commit.
    expect(hub.log.some((r) => r.server === 'cdn' && r.method === 'GET' && r.path.endsWith('/model.safetensors') && r.status === 200)).toBe(true);
    expect(hub.log.filter((r) => r.server === 'hub' && r.method === 'GET' && r.path.endsWith('/model.safetensors'))).toEqual([]);
    // Every file after config.json is asked for at the commit config.json resolved to.
    expect(hub.log.filter((r) => r.server === 'hub' && !r.path.includes(`/resolve/${commit}/`)).map((r) => r.path)).toEqual(['/local/stories260k/resolve/main/config.json']);

    // The snapshot loads like any model folder.
    expect(findCachedSnapshot(cache, REPO, 'main')).toEqual(got);
    const src = nodeFolderSource(got.dir);
    expect((await openWeights(src)).tensors.size).toBe(47);
    expect((await loadTokenizer(src)).encode('Once upon a time')).toEqual([403, 407, 261, 378]);
  });

  it('fetches the index and every shard of a sharded checkpoint', async () => {
    const cache = freshCache();
    const got = await downloadHubModel('local/sharded', 'main', opts(cache));
    expect(files(got.dir)).toEqual(['config.json', INDEX_FILE, 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'tokenizer.json'].sort());
    expect(missingModelFiles(got.dir)).toEqual([]);
    expect((await openWeights(nodeFolderSource(got.dir))).tensors.size).toBe(47);
    expect(hub.log.some((r) => r.path.endsWith('/model.safetensors'))).toBe(false);
  });

  it('keeps a branch or tag in refs/, and a commit hash needs no ref', async () => {
    const cache = freshCache();
    const tag = await downloadHubModel(REPO, 'v1', opts(cache));
    expect(readFileSync(join(cache, repoFolderName(REPO), 'refs', 'v1'), 'utf8')).toBe(hub.commitOf(REPO, 'v1'));
    const pinned = await downloadHubModel(REPO, SHA, opts(cache));
    expect(pinned.commit).toBe(SHA);
    expect(files(join(cache, repoFolderName(REPO), 'refs'))).toEqual(['v1']);
    // The same bytes at two commits share their blobs.
    expect(files(join(cache, repoFolderName(REPO), 'blobs'))).toHaveLength(4);
    expect(readFileSync(join(pinned.dir, 'config.json'), 'utf8')).toBe(readFileSync(join(tag.dir, 'config.json'), 'utf8'));
  });

  it('resumes a cut transfer with a Range request, and the blob has the right sha256', async () => {
    const cache = freshCache();
    hub.cutNext('model.safetensors', 1);
    const got = await downloadHubModel(REPO, 'main', opts(cache));
    const gets = hub.log.filter((r) => r.server === 'cdn' && r.method === 'GET' && r.path.endsWith('/model.safetensors'));
    expect(gets.map((r) => r.status)).toEqual([200, 206]);
    expect(gets[0].range).toBeNull();
    expect(gets[1].range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(sha256(readFileSync(join(got.dir, 'model.safetensors')))).toBe(sha256(weights));
  });

  it('resumes a partial download an earlier run left in blobs/{etag}.incomplete', async () => {
    const cache = freshCache();
    const blobs = join(cache, repoFolderName(REPO), 'blobs');
    mkdirSync(blobs, { recursive: true });
    writeFileSync(join(blobs, `${sha256(weights)}.incomplete`), weights.subarray(0, 1000));
    const got = await downloadHubModel(REPO, 'main', opts(cache));
    const gets = hub.log.filter((r) => r.method === 'GET' && r.path.endsWith('/model.safetensors'));
    expect(gets.map((r) => [r.range, r.status])).toEqual([['bytes=1000-', 206]]);
    expect(sha256(readFileSync(join(got.dir, 'model.safetensors')))).toBe(sha256(weights));
    expect(files(blobs).some((f) => f.endsWith('.incomplete'))).toBe(false);
  });

  it('refuses a file whose sha256 or size differs from what the Hub announced, and keeps no blob of it', async () => {
    const flipped = weights.slice();
    flipped[500] ^= 0xff;
    for (const [bytes, want] of [
      [flipped, /model\.safetensors has sha256 [0-9a-f]{12}\.\.\., the Hub announced [0-9a-f]{12}\.\.\.; nothing was kept/],
      [weights.subarray(0, 4000), /model\.safetensors came down as 4000 bytes, the Hub announced 1045072; nothing was kept/],
    ] as const) {
      const cache = freshCache();
      hub.tamperCdn(REPO, 'model.safetensors', bytes);
      try {
        const err = await downloadHubModel(REPO, 'main', opts(cache)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HubDownloadError);
        expect((err as Error).message).toMatch(want);
        expect((err as Error).message).not.toContain('\n');
      } finally {
        hub.tamperCdn(REPO, 'model.safetensors', null);
      }
      const blobs = files(join(cache, repoFolderName(REPO), 'blobs'));
      expect(blobs.some((f) => f.startsWith(sha256(weights)))).toBe(false);
      expect(findCachedSnapshot(cache, REPO, 'main')).toBeNull();
    }
  });

  it('sends HF_TOKEN to the endpoint only, never to the CDN a redirect names', async () => {
    const cache = freshCache();
    const refused = await downloadHubModel('gated/stories', 'main', opts(cache)).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/^gated\/stories@main: the Hub refused config\.json with HTTP 401 \(GatedRepo\): .*set HF_TOKEN/);
    const wrong = await downloadHubModel('gated/stories', 'main', opts(cache, { token: 'hf_wrong' })).catch((e: unknown) => e);
    expect((wrong as Error).message).toMatch(/HF_TOKEN was sent: check that it may read this repo/);
    hub.log.length = 0;
    await downloadHubModel('gated/stories', 'main', opts(cache, { token: 'hf_secret' }));
    const toHub = hub.log.filter((r) => r.server === 'hub');
    const toCdn = hub.log.filter((r) => r.server === 'cdn');
    expect(toHub.length).toBeGreaterThan(3);
    expect(toCdn.length).toBeGreaterThan(0);
    expect(new Set(toHub.map((r) => r.authorization))).toEqual(new Set(['Bearer hf_secret']));
    expect(new Set(toCdn.map((r) => r.authorization))).toEqual(new Set([null]));
  });

  it('says in one line what is wrong: unknown repo, revision or a missing tokenizer', async () => {
    const cases: [string, string, RegExp][] = [
      ['nobody/nothing', 'main', /^nobody\/nothing@main: the Hub refused config\.json with HTTP 401 \(RepoNotFound\): the repo does not exist, is private, or is gated; check the id, or set HF_TOKEN/],
      [REPO, 'v9', /^local\/stories260k@v9: the repo has no branch, tag or commit "v9" .*pass an existing one with --revision/],
      ['local/no-tokenizer', 'main', /^local\/no-tokenizer@main has no tokenizer\.json at commit [0-9a-f]{12}: the lab needs the Hugging Face tokenizers file/],
    ];
    for (const [repo, rev, want] of cases) {
      const err = await downloadHubModel(repo, rev, opts(freshCache())).catch((e: unknown) => e);
      expect(err, repo).toBeInstanceOf(HubDownloadError);
      expect((err as Error).message).toMatch(want);
    }
    const down = await downloadHubModel(REPO, 'main', opts(freshCache(), { endpoint: 'http://127.0.0.1:9', attempts: 2, retryDelayMs: 1 })).catch((e: unknown) => e);
    expect((down as Error).message).toMatch(/^local\/stories260k@main: asking for config\.json failed after 2 attempts: .*check the network and HF_ENDPOINT \(http:\/\/127\.0\.0\.1:9\)/);
  });
});

describe('--model owner/name (resolveCliModel)', () => {
  const quiet = () => undefined;

  it('downloads into HF_HUB_CACHE, which wins over HF_HOME', async () => {
    const hubCache = freshCache();
    const home = freshCache();
    const env = { HF_HUB_CACHE: hubCache, HF_HOME: home, HF_ENDPOINT: hub.url };
    const got = await resolveCliModel(REPO, quiet, { env });
    expect(got.describe).toBe('local/stories260k@main');
    expect(got.dir).toBe(join(hubCache, 'models--local--stories260k', 'snapshots', hub.commitOf(REPO, 'main')));
    expect(existsSync(home)).toBe(false);
    const viaHome = await resolveCliModel(REPO, quiet, { env: { HF_HOME: home, HF_ENDPOINT: hub.url }, revision: 'v1' });
    expect(viaHome).toEqual({ dir: join(home, 'hub', 'models--local--stories260k', 'snapshots', hub.commitOf(REPO, 'v1')), describe: 'local/stories260k@v1' });
  });

  it('uses a complete cached snapshot with no network at all', async () => {
    const cache = freshCache();
    await resolveCliModel(REPO, quiet, { env: { HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url } });
    hub.log.length = 0;
    // Nothing listens on port 9: any request would fail.
    const again = await resolveCliModel(REPO, quiet, { env: { HF_HUB_CACHE: cache, HF_ENDPOINT: 'http://127.0.0.1:9' } });
    expect(again.dir).toBe(join(cache, 'models--local--stories260k', 'snapshots', hub.commitOf(REPO, 'main')));
    expect(hub.log).toEqual([]);
    // A partial snapshot (the weights' blob deleted) goes back to the network for what it lacks.
    rmSync(join(cache, 'models--local--stories260k', 'blobs', sha256(weights)));
    expect(findCachedSnapshot(cache, REPO, 'main')).toBeNull();
    await resolveCliModel(REPO, quiet, { env: { HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url } });
    expect(hub.log.filter((r) => r.method === 'GET').map((r) => r.path.split('/').pop())).toEqual(['model.safetensors']);
  });

  it('prefers an existing folder, and explains bad ids, revisions and endpoints', async () => {
    expect(await resolveCliModel(STORIES, quiet, { env: {} })).toEqual({ dir: resolve(STORIES), describe: resolve(STORIES) });
    const usage: [string | undefined, Record<string, unknown>, RegExp][] = [
      [undefined, {}, /--model is required: a model folder .* or a Hugging Face Hub id/],
      ['./no/such', {}, /--model: no folder at .*no\/such \(a Hub id looks like owner\/name/],
      ['a/b--c', {}, /--model: no folder at .*, and invalid Hugging Face repo id "a\/b--c"/],
      [REPO, { revision: '../x' }, /--revision: invalid revision "\.\.\/x"/],
      [STORIES, { revision: 'main' }, /--revision goes with a Hub id/],
      [REPO, { env: { HF_HUB_CACHE: freshCache(), HF_ENDPOINT: 'ftp://x' } }, /HF_ENDPOINT: hub endpoint ftp:\/\/x must be http or https/],
      [REPO, { env: { HF_HUB_CACHE: freshCache(), HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: '1' } }, /--model local\/stories260k@main is not complete in the Hugging Face cache .* and HF_HUB_OFFLINE is set/],
    ];
    for (const [arg, o, want] of usage) {
      await expect(resolveCliModel(arg, quiet, { env: { HF_HUB_CACHE: freshCache() }, ...o }), String(arg)).rejects.toThrow(want);
    }
  });
});
