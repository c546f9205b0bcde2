/**
 * Model files over HTTP(S). With a Cache Storage cache (the browser default) each file is downloaded once,
 * streamed straight into the cache and read back as a disk-backed Blob; the stream errors if the body comes up
 * short, which makes cache.put reject, so a cut download is never stored. Without a cache, reads are Range
 * requests pinned to the file's ETag, so a model streams to the GPU without a full copy in memory.
 */
import { bytesSource, type ByteSource } from '../safetensors.ts';
import { blobSource } from './blob-source.ts';
import {
  contentLength,
  discard,
  isTransientStatus,
  readBody,
  retryable,
  startFromContentRange,
  totalFromContentRange,
  TransientError,
  verifyingStream,
  withRetries,
  type FetchFn,
} from './http-fetch.ts';
import { checkFileName, ModelFileNotFoundError, ModelSourceError, type DownloadProgress, type ModelSource } from './source.ts';

export interface HttpSourceOptions {
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
  /** undefined: the browser's Cache Storage when present; null: no caching. */
  cache?: Cache | null;
  /** Tries per request, first included (default 3). */
  attempts?: number;
  retryDelayMs?: number;
  /** Name used in messages instead of the base URL (the hub source passes repo@revision). */
  describe?: string;
  /** Source-specific explanation of an error status, e.g. the hub's answer for private repos. */
  explainStatus?: (res: Response, file: string) => string | undefined;
}

export const CACHE_NAME = 'proto-token-lab-models';

function normalizeBase(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ModelSourceError(`${JSON.stringify(baseUrl)} is not a URL; give the address of the folder that holds config.json`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ModelSourceError(`${baseUrl}: only http and https model URLs are supported`);
  if (url.search || url.hash) throw new ModelSourceError(`${baseUrl}: a model base URL cannot carry a query or fragment`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export function httpSource(baseUrl: string, opts: HttpSourceOptions = {}): ModelSource {
  const base = normalizeBase(baseUrl);
  const describe = opts.describe ?? base.href;
  const doFetch: FetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const attempts = Math.max(1, opts.attempts ?? 3);
  const delayMs = opts.retryDelayMs ?? 500;
  const report = (file: string, loaded: number, total: number) => opts.onProgress?.({ file, loaded, total });

  let cachePromise: Promise<Cache | null> | null = null;
  const getCache = (): Promise<Cache | null> => {
    if (opts.cache !== undefined) return Promise.resolve(opts.cache);
    cachePromise ??= globalThis.caches ? globalThis.caches.open(CACHE_NAME).catch(() => null) : Promise.resolve(null);
    return cachePromise;
  };

  const urlOf = (file: string): string =>
    new URL(checkFileName(file, describe).split('/').map(encodeURIComponent).join('/'), base).href;

  const retry = <T>(what: string, fn: () => Promise<T>) => withRetries(`${describe}: ${what}`, attempts, delayMs, fn);

  /** Throws for anything but the statuses the caller accepts. */
  async function expectStatus(res: Response, file: string, ok: number[]): Promise<void> {
    if (ok.includes(res.status)) return;
    await discard(res);
    const why = opts.explainStatus?.(res, file);
    if (res.status === 404) throw new ModelFileNotFoundError(file, describe, why ?? `HTTP 404 from ${res.url || urlOf(file)}`);
    const msg = `${describe}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${file}${why ? `: ${why}` : ''}`;
    if (isTransientStatus(res.status)) throw new TransientError(msg);
    throw new ModelSourceError(msg);
  }

  async function fetchWhole(file: string): Promise<Uint8Array> {
    return retry(`downloading ${file}`, async () => {
      const res = await doFetch(urlOf(file));
      await expectStatus(res, file, [200]);
      const total = contentLength(res);
      return readBody(res, total, false, `${describe}: ${file}`, (n) => report(file, n, total ?? n));
    });
  }

  const downloads = new Map<string, Promise<Blob>>();

  /** The whole file from the cache, downloading and storing it first if needed. */
  function cachedBlob(cache: Cache, file: string): Promise<Blob> {
    let p = downloads.get(file);
    if (p) return p;
    p = (async () => {
      const url = urlOf(file);
      const hit = await cache.match(url);
      if (hit) return hit.blob();
      await retry(`downloading ${file}`, async () => {
        const res = await doFetch(url);
        await expectStatus(res, file, [200]);
        const total = contentLength(res);
        const body = (res.body ?? new Response(new Uint8Array(0)).body!).pipeThrough(
          verifyingStream(total, `${describe}: ${file}`, (n) => report(file, n, total ?? n)),
        );
        const headers = new Headers();
        for (const h of ['content-type', 'etag']) {
          const v = res.headers.get(h);
          if (v) headers.set(h, v);
        }
        try {
          await cache.put(url, new Response(body, { status: 200, headers }));
        } catch (e) {
          // Whatever the cache reports, a rejected put stored nothing; a retry starts the file over.
          throw e instanceof ModelSourceError ? e : new TransientError(`storing ${file}: ${(e as Error).message}`, { cause: e });
        }
      });
      const stored = await cache.match(url);
      if (!stored) throw new ModelSourceError(`${describe}: ${file} vanished from the browser cache right after download (storage full?)`);
      return stored.blob();
    })();
    p.catch(() => downloads.delete(file));
    downloads.set(file, p);
    return p;
  }

  async function rangedSource(file: string): Promise<ByteSource> {
    const url = urlOf(file);
    const where = `${describe}/${file}`;
    type Probe = { kind: 'whole'; bytes: Uint8Array } | { kind: 'ranged'; size: number; etag: string | null };
    const probe = await retry(`opening ${file}`, async (): Promise<Probe> => {
      const res = await doFetch(url, { headers: { Range: 'bytes=0-0' } });
      await expectStatus(res, file, [200, 206, 416]);
      if (res.status === 200) {
        // The server ignores ranges: this response is the whole file, so keep it rather than fetch again.
        const total = contentLength(res);
        return { kind: 'whole', bytes: await readBody(res, total, false, where, (n) => report(file, n, total ?? n)) };
      }
      await discard(res);
      let size = totalFromContentRange(res);
      if (size === null && res.status === 206) {
        const head = await doFetch(url, { method: 'HEAD' });
        await expectStatus(head, file, [200]);
        size = contentLength(head);
      }
      if (size === null) throw new ModelSourceError(`${where}: the server did not say how large the file is (no Content-Range or Content-Length)`);
      return { kind: 'ranged', size, etag: res.headers.get('etag') };
    });
    if (probe.kind === 'whole') return bytesSource(probe.bytes, where);
    const { size, etag } = probe;
    // If-Range with a strong ETag makes a changed file come back as 200 instead of silently mixing versions.
    const pin: Record<string, string> = etag && !etag.startsWith('W/') ? { 'If-Range': etag } : {};
    let fetched = 0;
    return {
      size,
      describe: where,
      async read(offset, length) {
        if (offset < 0 || length < 0 || offset + length > size) {
          throw new ModelSourceError(`${where}: read of ${length} bytes at ${offset} is outside its ${size} bytes`);
        }
        if (length === 0) return new Uint8Array(0);
        const bytes = await retry(`reading ${file} bytes ${offset}-${offset + length - 1}`, async () => {
          const res = await doFetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}`, ...pin } });
          await expectStatus(res, file, [200, 206]);
          if (res.status === 200) {
            await discard(res);
            throw new ModelSourceError(`${where} changed on the server while loading (ETag ${etag ?? 'unknown'}), or the server stopped honouring Range requests; reload the model`);
          }
          const start = startFromContentRange(res);
          if (start !== null && start !== offset) {
            await discard(res);
            throw new ModelSourceError(`${where}: asked for bytes from ${offset}, the server sent them from ${start}`);
          }
          return readBody(res, length, true, where);
        });
        fetched = Math.min(size, fetched + length);
        report(file, fetched, size);
        return bytes;
      },
    };
  }

  return {
    describe,
    async has(file) {
      const url = urlOf(file);
      const cache = await getCache();
      if (cache && (await cache.match(url))) return true;
      const ask = retry(`checking ${file}`, async () => {
        let res = await doFetch(url, { method: 'HEAD' });
        if (res.status === 405 || res.status === 501) res = await doFetch(url, { headers: { Range: 'bytes=0-0' } });
        await discard(res);
        if (res.status === 404) return false;
        await expectStatus(res, file, [200, 206, 416]);
        return true;
      });
      if (!cache) return ask;
      // Offline with a cached model: the network cannot answer, and what the cache lacks cannot be loaded
      // anyway, so "absent" lets a cached single-file checkpoint load without asking about optional files.
      return ask.catch((e: unknown) => {
        if (e instanceof ModelSourceError && retryable(e.cause)) return false;
        throw e;
      });
    },
    async text(file) {
      const cache = await getCache();
      const bytes = cache ? new Uint8Array(await (await cachedBlob(cache, file)).arrayBuffer()) : await fetchWhole(file);
      return new TextDecoder().decode(bytes);
    },
    async open(file) {
      const cache = await getCache();
      if (cache) return blobSource(await cachedBlob(cache, file), `${describe}/${file}`);
      return rangedSource(file);
    },
  };
}
