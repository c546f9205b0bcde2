/**
 * A local stand-in for the Hugging Face Hub on 127.0.0.1 (random port): /{owner}/{name}/resolve/{revision}/{file}
 * answers small files directly and 302-redirects large ones to an absolute /cdn/... URL, like the Hub does for
 * LFS files (with X-Linked-Etag: the quoted sha256, and X-Linked-Size); every resolve answer carries X-Repo-Commit;
 * ETag, Content-Length, Range/If-Range, 404 with X-Error-Code, 401 for unknown repos and for gated ones without
 * their token. The CDN can live on a second port (another origin, as on the real Hub). It can cut a response half
 * way (to test retries, resuming, and that a cache never keeps a partial file), swap a file's content mid-load,
 * and make the CDN serve other bytes than the resolve headers announce.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';

export interface HubServerOptions {
  /** "owner/name" -> folder served as that repo. */
  repos: Record<string, string>;
  /** Revisions every repo has; default ['main']. */
  revisions?: string[];
  /** Files answered with a redirect to the CDN path; default: *.safetensors. */
  lfs?: (file: string) => boolean;
  /** false: ignore Range headers and always send the whole file, like a plain static server. */
  ranges?: boolean;
  /** revision -> commit hash; default: a commit hash stands for itself, anything else gets sha1(repo@revision). */
  commits?: Record<string, string>;
  /** "owner/name" -> the token a gated repo needs (`Authorization: Bearer <token>`); without it, 401 GatedRepo. */
  gated?: Record<string, string>;
  /** Serve the CDN from a second server (another origin), as huggingface.co does. */
  separateCdn?: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  range: string | null;
  status: number;
  /** Which server answered: the Hub itself or the CDN (the same one unless separateCdn). */
  server: 'hub' | 'cdn';
  authorization: string | null;
}

export interface HubServer {
  url: string;
  /** The CDN's origin: `url` unless separateCdn. */
  cdnUrl: string;
  log: RequestLogEntry[];
  /** The commit a revision of a repo resolves to (X-Repo-Commit). */
  commitOf(repo: string, revision: string): string;
  /** The next `times` GET bodies for a file with this base name are cut after half their bytes. */
  cutNext(fileName: string, times: number): void;
  /** Serve other bytes for repo/file from now on (a new ETag with them). */
  replace(repo: string, file: string, bytes: Uint8Array): void;
  /** The CDN sends these bytes for repo/file while the resolve answer still announces the real ones; null: stop. */
  tamperCdn(repo: string, file: string, bytes: Uint8Array | null): void;
  close(): Promise<void>;
}

interface Body {
  bytes: Uint8Array;
  etag: string;
}

export async function startHubServer(opts: HubServerOptions): Promise<HubServer> {
  const revisions = opts.revisions ?? ['main'];
  const lfs = opts.lfs ?? ((f: string) => f.endsWith('.safetensors'));
  const ranges = opts.ranges ?? true;
  const log: RequestLogEntry[] = [];
  const cuts = new Map<string, number>();
  const overrides = new Map<string, Body>();
  const cdnOverrides = new Map<string, Body>();
  const bodies = new Map<string, Body>();
  const commitOf = (repo: string, revision: string): string =>
    opts.commits?.[revision] ?? (/^[0-9a-f]{40}$/.test(revision) ? revision : createHash('sha1').update(`${repo}@${revision}`).digest('hex'));

  const bodyOf = (bytes: Uint8Array): Body => ({ bytes, etag: `"${createHash('sha256').update(bytes).digest('hex')}"` });

  function load(repo: string, file: string): Body | null {
    const o = overrides.get(`${repo}/${file}`);
    if (o) return o;
    const root = resolve(opts.repos[repo]);
    const path = resolve(join(root, file));
    if (!path.startsWith(root + sep)) return null;
    let version: string;
    try {
      const st = statSync(path);
      if (!st.isFile()) return null;
      // Keyed by mtime and size so a test that rewrites a file is served the new bytes.
      version = `${path}:${st.mtimeMs}:${st.size}`;
    } catch {
      return null;
    }
    let b = bodies.get(version);
    if (!b) {
      b = bodyOf(new Uint8Array(readFileSync(path)));
      bodies.set(version, b);
    }
    return b;
  }

  function finish(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body?: Uint8Array): void {
    const onCdn = opts.separateCdn ? req.socket.localPort === cdnPort : (req.url ?? '').startsWith('/cdn/');
    const server: RequestLogEntry['server'] = onCdn ? 'cdn' : 'hub';
    log.push({ method: req.method ?? '', path: req.url ?? '', range: req.headers.range ?? null, status, server, authorization: req.headers.authorization ?? null });
    res.writeHead(status, headers);
    if (!body || req.method === 'HEAD') {
      res.end();
      return;
    }
    const name = (req.url ?? '').split('/').pop() ?? '';
    const left = cuts.get(decodeURIComponent(name)) ?? 0;
    if (left > 0) {
      cuts.set(decodeURIComponent(name), left - 1);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  function serve(req: IncomingMessage, res: ServerResponse, b: Body, extra: Record<string, string> = {}): void {
    const size = b.bytes.length;
    const base = { ETag: b.etag, 'Content-Type': 'application/octet-stream', ...(ranges ? { 'Accept-Ranges': 'bytes' } : {}), ...extra };
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    if (ranges && range && (!ifRange || ifRange === b.etag)) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range);
      if (m && (m[1] || m[2])) {
        let start: number, end: number;
        if (m[1] === '') {
          start = Math.max(0, size - Number(m[2]));
          end = size - 1;
        } else {
          start = Number(m[1]);
          end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
        }
        if (start >= size || start > end) {
          finish(req, res, 416, { ...base, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
          return;
        }
        const part = b.bytes.subarray(start, end + 1);
        finish(req, res, 206, { ...base, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': part.length }, part);
        return;
      }
    }
    finish(req, res, 200, { ...base, 'Content-Length': size }, b.bytes);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const notFound = (code: string, status = 404, extra: Record<string, string> = {}) =>
      finish(req, res, status, { 'X-Error-Code': code, 'Content-Type': 'text/plain', 'Content-Length': code.length, ...extra }, new TextEncoder().encode(code));
    if (req.method !== 'GET' && req.method !== 'HEAD') return finish(req, res, 405, { 'Content-Length': 0 });
    let parts: string[];
    try {
      parts = (req.url ?? '/').split('?')[0].split('/').slice(1).map(decodeURIComponent);
    } catch {
      return notFound('BadRequest', 400);
    }
    const cdn = parts[0] === 'cdn';
    if (cdn) parts = parts.slice(1);
    // The CDN answers only /cdn/ paths; with separateCdn, the Hub answers none.
    if (opts.separateCdn && cdn !== (req.socket.localPort === cdnPort)) return notFound('NotFound');
    const [owner, name, resolveWord, revision, ...fileParts] = parts;
    const repo = `${owner}/${name}`;
    if (!cdn && resolveWord !== 'resolve') return notFound('NotFound');
    if (!(repo in opts.repos)) return notFound('RepoNotFound', 401);
    const gate = opts.gated?.[repo];
    if (!cdn && gate !== undefined && req.headers.authorization !== `Bearer ${gate}`) return notFound('GatedRepo', 401);
    // A revision, or the commit one of them resolves to (what a client pins after its first request).
    if (!revisions.includes(revision) && !revisions.some((r) => commitOf(repo, r) === revision)) return notFound('RevisionNotFound');
    const commit = { 'X-Repo-Commit': commitOf(repo, revision) };
    const file = fileParts.join('/');
    const b = fileParts.length ? load(repo, file) : null;
    if (!b) return notFound('EntryNotFound', 404, cdn ? {} : commit);
    if (!cdn && lfs(file)) {
      const location = `${cdnUrl}/cdn/${owner}/${name}/resolve/${encodeURIComponent(revision)}/${fileParts.map(encodeURIComponent).join('/')}`;
      return finish(req, res, 302, { Location: location, 'X-Linked-Size': b.bytes.length, 'X-Linked-Etag': b.etag, 'Content-Length': 0, ...commit });
    }
    serve(req, res, (cdn && cdnOverrides.get(`${repo}/${file}`)) || b, cdn ? {} : commit);
  };
  const server = createServer(handler);
  const cdnServer = opts.separateCdn ? createServer(handler) : null;
  let cdnPort = -1;
  let cdnUrl = '';

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  if (cdnServer) {
    await new Promise<void>((ok) => cdnServer.listen(0, '127.0.0.1', ok));
    cdnPort = (cdnServer.address() as AddressInfo).port;
  }
  cdnUrl = cdnServer ? `http://127.0.0.1:${cdnPort}` : url;
  const stop = (s: ReturnType<typeof createServer>) =>
    new Promise<void>((ok) => {
      s.closeAllConnections();
      s.close(() => ok());
    });
  return {
    url,
    cdnUrl,
    log,
    commitOf,
    cutNext: (fileName, times) => cuts.set(fileName, times),
    replace: (repo, file, bytes) => overrides.set(`${repo}/${file}`, bodyOf(bytes)),
    tamperCdn: (repo, file, bytes) => (bytes ? cdnOverrides.set(`${repo}/${file}`, bodyOf(bytes)) : cdnOverrides.delete(`${repo}/${file}`)),
    close: async () => {
      await stop(server);
      if (cdnServer) await stop(cdnServer);
    },
  };
}

/**
 * The part of the Cache Storage API the HTTP source uses, in memory. Like the real one, put() consumes the
 * whole body before storing anything, so a body stream that errors leaves no entry behind.
 */
export class MemoryCache {
  readonly entries = new Map<string, { body: Uint8Array; headers: [string, string][] }>();
  puts = 0;

  private key(request: RequestInfo | URL): string {
    return typeof request === 'string' ? request : request instanceof URL ? request.href : request.url;
  }

  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    const e = this.entries.get(this.key(request));
    return e ? new Response(e.body.slice(), { status: 200, headers: e.headers }) : undefined;
  }

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    this.puts++;
    const body = new Uint8Array(await response.arrayBuffer());
    this.entries.set(this.key(request), { body, headers: [...response.headers] });
  }

  async delete(request: RequestInfo | URL): Promise<boolean> {
    return this.entries.delete(this.key(request));
  }

  asCache(): Cache {
    return this as unknown as Cache;
  }
}
