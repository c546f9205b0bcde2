/**
 * Downloads a model from the Hugging Face Hub (or the mirror HF_ENDPOINT names) into the Hugging Face cache, in
 * huggingface_hub's layout (hf-cache.ts), so the Python tools reuse it. Node only.
 *
 * What the Hub sends, as huggingface_hub's file_download.py (get_hf_file_metadata, _normalize_etag,
 * _hf_hub_download_to_cache_dir, _download_to_tmp_and_move, http_get) reads it:
 *   - a HEAD of {endpoint}/{repo}/resolve/{revision}/{file}, redirects not followed, answers X-Repo-Commit (the
 *     commit the revision is at) and an ETag: the git blob sha1 for a small file, answered directly; for an LFS
 *     file a 302 to the CDN with X-Linked-Etag (the file's sha256) and X-Linked-Size. ETags come quoted, maybe
 *     W/-prefixed; the cache names blobs by the bare value. Relative redirects (a renamed repo) are followed.
 *   - the file is then fetched from that location into blobs/{etag}.incomplete, resumed with `Range: bytes=N-`
 *     after a cut, and renamed to blobs/{etag} once complete; the snapshot entry is a relative symlink to it.
 *   - the token goes only to the endpoint, never to the CDN location a redirect names.
 * Beyond huggingface_hub, the finished file's size is checked against X-Linked-Size / Content-Length and an LFS
 * file's sha256 against X-Linked-Etag before it becomes a blob; a wrong one leaves nothing behind. Every file is
 * fetched at the commit config.json resolved to, so a branch that moves mid-download cannot mix two versions.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { contentLength, discard, isTransientStatus, retryable, startFromContentRange, TransientError } from './http-fetch.ts';
import { DEFAULT_HUB_ENDPOINT, normalizeEndpoint, validateRepoId, validateRevision } from './hub.ts';
import { hasFile, isCommitHash, repoFolderName, shardFiles, type CachedSnapshot } from './hf-cache.ts';
import { checkFileName, ModelSourceError, type DownloadProgress } from './source.ts';
import { INDEX_FILE, SINGLE_FILE } from '../shards.ts';

export interface HubDownloadOptions {
  /** The Hugging Face cache folder (hubCacheDir()). */
  cacheDir: string;
  /** The Hub or a mirror; default https://huggingface.co. */
  endpoint?: string;
  /** Sent as `Authorization: Bearer` to the endpoint only. */
  token?: string;
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
  /** Tries per request, first included (default 5); a cut transfer resumes where it stopped. */
  attempts?: number;
  retryDelayMs?: number;
}

export class HubDownloadError extends ModelSourceError {
  override name = 'HubDownloadError';
}

/** Fetched when the repo has them; the tokenizer reads them for special tokens. */
export const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json'] as const;

interface FileMeta {
  commit: string;
  /** The blob's name: the ETag without quotes or W/. */
  etag: string;
  size: number | null;
  /** X-Linked-Etag when it is a sha256 (LFS files): the content's hash. */
  sha256: string | null;
  /** Where the bytes are: the resolve URL itself, or the CDN location its redirect named. */
  location: string;
  viaRedirect: boolean;
}

const BLOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_HOPS = 5;

function normalizeEtag(raw: string): string {
  return raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

function intHeader(v: string | null): number | null {
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes sure the cache holds `repoId` at `revision` (config.json, tokenizer.json and the tokenizer's optional
 * files, the weights: model.safetensors or the index and its shards), downloading what the snapshot lacks.
 */
export async function downloadHubModel(repoId: string, revision: string, opts: HubDownloadOptions): Promise<CachedSnapshot> {
  validateRepoId(repoId);
  validateRevision(revision);
  const endpoint = normalizeEndpoint(opts.endpoint ?? DEFAULT_HUB_ENDPOINT);
  const origin = new URL(endpoint).origin;
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const attempts = Math.max(1, opts.attempts ?? 5);
  const delayMs = opts.retryDelayMs ?? 500;
  const token = opts.token?.trim() || undefined;
  const where = `${repoId}@${revision}`;
  const repoDir = join(opts.cacheDir, repoFolderName(repoId));

  /** Authorization only for the endpoint's own origin, and only where the caller allows it (never a CDN hop). */
  const headersFor = (url: string, allowToken: boolean, extra: Record<string, string> = {}): Record<string, string> => {
    const h: Record<string, string> = { 'Accept-Encoding': 'identity', ...extra };
    if (token && allowToken && new URL(url).origin === origin) h.Authorization = `Bearer ${token}`;
    return h;
  };

  const withRetries = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!retryable(e)) throw e;
        if (attempt >= attempts) {
          const cause = (e as Error).message + ((e as Error).cause instanceof Error ? ` (${((e as Error).cause as Error).message})` : '');
          const again = what.startsWith('downloading') ? 'then run again: the download resumes where it stopped' : 'then run again';
          throw new HubDownloadError(`${where}: ${what} failed after ${attempts} attempts: ${cause}; check the network and HF_ENDPOINT (${endpoint}), ${again}`, { cause: e });
        }
        await sleep(delayMs * attempt);
      }
    }
  };

  /** One line saying why the Hub refused, and what to do about it. */
  const refusal = (res: Response, file: string): Error => {
    const code = res.headers.get('x-error-code');
    const status = `HTTP ${res.status}${code ? ` (${code})` : ''}`;
    if (res.status === 401 || res.status === 403 || code === 'RepoNotFound' || code === 'GatedRepo') {
      const advice = token
        ? 'HF_TOKEN was sent: check that it may read this repo (a gated repo also needs its terms accepted on the Hub) and that the id is right'
        : 'check the id, or set HF_TOKEN to a Hugging Face access token that may read it';
      return new HubDownloadError(`${where}: the Hub refused ${file} with ${status}: the repo does not exist, is private, or is gated; ${advice}`);
    }
    if (code === 'RevisionNotFound') return new HubDownloadError(`${where}: the repo has no branch, tag or commit ${JSON.stringify(revision)} (${status}); pass an existing one with --revision`);
    const msg = `${where}: ${endpoint} answered ${status} for ${file}`;
    if (isTransientStatus(res.status)) return new TransientError(msg);
    return new HubDownloadError(`${msg}; check HF_ENDPOINT and the id`);
  };

  const resolveUrl = (rev: string, file: string) => `${endpoint}/${repoId}/resolve/${encodeURIComponent(rev)}/${file.split('/').map(encodeURIComponent).join('/')}`;

  /** HEAD of the file at `rev`: its commit, ETag, size and location; 'missing' when the repo has no such file. */
  const metadata = (file: string, rev: string): Promise<FileMeta | 'missing'> =>
    withRetries(`asking for ${file}`, async () => {
      let url = resolveUrl(rev, file);
      for (let hop = 0; hop <= MAX_HOPS; hop++) {
        const res = await doFetch(url, { method: 'HEAD', redirect: 'manual', headers: headersFor(url, true) });
        await discard(res);
        const location = res.headers.get('location');
        const redirect = res.status >= 300 && res.status < 400 && location !== null;
        // A relative redirect without X-Linked-Etag is the Hub pointing at a renamed repo: follow it, as huggingface_hub does.
        if (redirect && !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(location) && !res.headers.get('x-linked-etag')) {
          url = new URL(location, url).href;
          continue;
        }
        if (res.status === 404) {
          const code = res.headers.get('x-error-code');
          if (code === 'RepoNotFound' || code === 'RevisionNotFound') throw refusal(res, file);
          return 'missing';
        }
        if (!redirect && (res.status < 200 || res.status >= 300)) throw refusal(res, file);
        const commit = res.headers.get('x-repo-commit')?.trim() ?? '';
        if (!isCommitHash(commit)) {
          throw new HubDownloadError(`${where}: ${endpoint} sent no commit (X-Repo-Commit) for ${file}: HF_ENDPOINT must name the Hugging Face Hub or a mirror of it`);
        }
        const linked = res.headers.get('x-linked-etag');
        const etag = normalizeEtag(linked ?? res.headers.get('etag') ?? '');
        if (!BLOB_NAME.test(etag) || etag.endsWith('.incomplete')) {
          throw new HubDownloadError(`${where}: ${endpoint} sent ${etag ? `an unusable ETag ${JSON.stringify(etag)}` : 'no ETag'} for ${file}, so it cannot be cached; check HF_ENDPOINT`);
        }
        const size = intHeader(res.headers.get('x-linked-size')) ?? (redirect ? null : contentLength(res));
        const hash = linked !== null && SHA256.test(etag) ? etag : null;
        // A file answered directly is fetched at the commit, so a branch moving between HEAD and GET cannot swap it.
        const direct = hop === 0 ? resolveUrl(commit, file) : url;
        return { commit, etag, size, sha256: hash, location: redirect ? new URL(location, url).href : direct, viaRedirect: redirect };
      }
      throw new HubDownloadError(`${where}: more than ${MAX_HOPS} redirects for ${file}; check HF_ENDPOINT`);
    });

  /** GET, following redirects by hand so the token never leaves the endpoint. */
  const get = async (url: string, allowToken: boolean, extra: Record<string, string>): Promise<Response> => {
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const res = await doFetch(url, { redirect: 'manual', headers: headersFor(url, allowToken && hop === 0, extra) });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) return res;
      await discard(res);
      url = new URL(location, url).href;
    }
    throw new HubDownloadError(`${where}: more than ${MAX_HOPS} redirects while downloading; check HF_ENDPOINT`);
  };

  const sizeOf = async (path: string): Promise<number> => {
    try {
      return (await stat(path)).size;
    } catch {
      return 0;
    }
  };
  const remove = (path: string) => unlink(path).catch(() => undefined);

  /** Bytes into blobs/{etag}.incomplete, resuming what an earlier try or run left there; a cut throws a TransientError. */
  async function transfer(file: string, m: FileMeta, partial: string): Promise<void> {
    let have = await sizeOf(partial);
    if (m.size !== null && have > m.size) {
      await remove(partial);
      have = 0;
    }
    if (m.size !== null && have === m.size) return;
    const res = await get(m.location, !m.viaRedirect, have > 0 ? { Range: `bytes=${have}-` } : {});
    if (res.status === 416) {
      await discard(res);
      await remove(partial);
      throw new TransientError(`${file}: the server refused to resume at byte ${have}; starting over`);
    }
    if (res.status !== 200 && res.status !== 206) {
      await discard(res);
      if (!m.viaRedirect) throw refusal(res, file);
      // The CDN's own refusals (an expired signed URL, an outage) say nothing about the repo.
      const msg = `${where}: the download server ${new URL(m.location).host} answered HTTP ${res.status} for ${file}`;
      throw isTransientStatus(res.status) ? new TransientError(msg) : new HubDownloadError(`${msg}; run again (a new download link is asked for)`);
    }
    if (res.status === 206 && startFromContentRange(res) !== have) {
      await discard(res);
      await remove(partial);
      throw new TransientError(`${file}: asked to resume at byte ${have}, the server sent other bytes; starting over`);
    }
    const start = res.status === 206 ? have : 0;
    const body = contentLength(res);
    const total = m.size ?? (body !== null ? start + body : null);
    const fh = await open(partial, start > 0 ? 'a' : 'w');
    let got = 0;
    try {
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await fh.write(value);
          got += value.byteLength;
          opts.onProgress?.({ file, loaded: start + got, total: total ?? start + got });
        }
      }
    } finally {
      await fh.close();
    }
    if (body !== null && got < body) throw new TransientError(`${file}: the connection was cut after ${start + got} of ${start + body} bytes`);
  }

  async function sha256Of(path: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Downloads one blob, checks it and moves it into place; a wrong file is deleted, never kept. */
  async function downloadBlob(file: string, m: FileMeta, blob: string): Promise<void> {
    const partial = `${blob}.incomplete`;
    await mkdir(dirname(blob), { recursive: true });
    await withRetries(`downloading ${file}`, () => transfer(file, m, partial));
    const size = await sizeOf(partial);
    if (m.size !== null && size !== m.size) {
      await remove(partial);
      throw new HubDownloadError(`${where}: ${file} came down as ${size} bytes, the Hub announced ${m.size}; nothing was kept: run again, and if it repeats the mirror (HF_ENDPOINT) serves another file`);
    }
    if (m.sha256) {
      const got = await sha256Of(partial);
      if (got !== m.sha256) {
        await remove(partial);
        throw new HubDownloadError(`${where}: ${file} has sha256 ${got.slice(0, 12)}..., the Hub announced ${m.sha256.slice(0, 12)}...; nothing was kept: run again, and if it repeats the mirror (HF_ENDPOINT) serves another file`);
      }
    }
    await rename(partial, blob);
  }

  /** snapshots/{commit}/{file} -> ../../blobs/{etag}, relative like huggingface_hub's (a copy where links are refused). */
  async function link(blob: string, pointer: string): Promise<void> {
    await mkdir(dirname(pointer), { recursive: true });
    await remove(pointer);
    try {
      await symlink(relative(dirname(pointer), blob), pointer);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOSYS' && code !== 'EINVAL') throw e;
      await copyFile(blob, pointer);
    }
  }

  const snapshotPath = (commit: string, file: string) => join(repoDir, 'snapshots', commit, ...checkFileName(file, where).split('/'));
  const noExistPath = (commit: string, file: string) => join(repoDir, '.no_exist', commit, ...file.split('/'));

  async function store(file: string, m: FileMeta): Promise<void> {
    if (m.commit !== commit) throw new HubDownloadError(`${where}: ${file} came from commit ${m.commit}, not ${commit}; run again`);
    const pointer = snapshotPath(commit, file);
    if (hasFile(pointer)) return;
    const blob = join(repoDir, 'blobs', m.etag);
    if (!hasFile(blob)) await downloadBlob(file, m, blob);
    await link(blob, pointer);
  }

  /** The file at the pinned commit if the repo has it: true when it is now in the snapshot. */
  async function fetchIfPresent(file: string): Promise<boolean> {
    if (hasFile(snapshotPath(commit, file))) return true;
    if (hasFile(noExistPath(commit, file))) return false;
    const m = await metadata(file, commit);
    if (m === 'missing') {
      // Recorded as huggingface_hub does, so neither asks again at this commit.
      await mkdir(dirname(noExistPath(commit, file)), { recursive: true }).then(() => writeFile(noExistPath(commit, file), '')).catch(() => undefined);
      return false;
    }
    await store(file, m);
    return true;
  }

  async function fetchRequired(file: string, why: string): Promise<void> {
    if (!(await fetchIfPresent(file))) throw new HubDownloadError(`${where} has no ${file} at commit ${commit.slice(0, 12)}: ${why}`);
  }

  // config.json first: its commit pins every other file.
  const first = await metadata('config.json', revision);
  if (first === 'missing') throw new HubDownloadError(`${where} has no config.json: it is not a model repo, or the id or --revision is wrong`);
  const commit = first.commit;
  if (revision !== commit) {
    const ref = join(repoDir, 'refs', ...revision.split('/'));
    await mkdir(dirname(ref), { recursive: true });
    const old = await readFile(ref, 'utf8').catch(() => null);
    if (old !== commit) await writeFile(ref, commit);
  }
  await store('config.json', first);
  await fetchRequired('tokenizer.json', 'the lab needs the Hugging Face tokenizers file tokenizer.json');
  for (const f of OPTIONAL_FILES) await fetchIfPresent(f);
  if (await fetchIfPresent(INDEX_FILE)) {
    const index = snapshotPath(commit, INDEX_FILE);
    let shards: string[];
    try {
      shards = shardFiles(await readFile(index, 'utf8'), `${where}/${INDEX_FILE}`);
    } catch (e) {
      throw new HubDownloadError(`${where}/${INDEX_FILE} is not a usable shard index: ${(e as Error).message}`);
    }
    for (const shard of shards) await fetchRequired(shard, `${INDEX_FILE} names it`);
  } else {
    await fetchRequired(SINGLE_FILE, `the repo has neither ${SINGLE_FILE} nor ${INDEX_FILE}; the lab loads safetensors checkpoints`);
  }
  return { dir: join(repoDir, 'snapshots', commit), commit };
}
