import { lstat, readdir, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import type { Middleware } from './models-middleware.ts';
import { isInside, isSafeSegment } from './safe-name.ts';
import { plain, refusedMethod } from './plain-response.ts';
import { sendFile } from './send-file.ts';

export const DATA_PREFIX = '/data/';

/** One entry of GET /data/index.json: a path under data/ ('pg19/test/10146.txt') and its size. */
export interface DataIndexEntry {
  path: string;
  bytes: number;
}

/**
 * The text sources' files the page may read (issue 4 §3): PG-19 books and their manifest, recent
 * posts (one folder per blog) and their manifest, the GloVe word list. Only these folders are
 * listed, only regular .txt/.jsonl files in them, so nothing else under the shared folder (models
 * are served by /models/) can be reached through /data/.
 */
const FOLDERS: readonly { dir: string; nested: boolean }[] = [
  { dir: 'pg19', nested: false },
  { dir: 'pg19/test', nested: false },
  { dir: 'pg19/extra', nested: false },
  { dir: 'recent', nested: true },
  { dir: 'words', nested: false },
];

async function regularFiles(root: string, rel: string): Promise<DataIndexEntry[]> {
  let names: string[];
  try {
    names = await readdir(join(root, rel));
  } catch {
    return [];
  }
  const out: DataIndexEntry[] = [];
  for (const name of names.sort()) {
    if (!isSafeSegment(name) || !/\.(txt|jsonl)$/u.test(name)) continue;
    const info = await lstat(join(root, rel, name)).catch(() => null);
    if (info?.isFile()) out.push({ path: `${rel}/${name}`, bytes: info.size });
  }
  return out;
}

/** Every servable file under `root` (the shared data folder), sorted by path. */
export async function listDataFiles(root: string): Promise<DataIndexEntry[]> {
  const out: DataIndexEntry[] = [];
  for (const f of FOLDERS) {
    out.push(...(await regularFiles(root, f.dir)));
    if (!f.nested) continue;
    const subs = await readdir(join(root, f.dir), { withFileTypes: true }).catch(() => []);
    for (const d of subs.filter((x) => x.isDirectory() && isSafeSegment(x.name)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      out.push(...(await regularFiles(root, `${f.dir}/${d.name}`)));
    }
  }
  return out;
}

export type DataRequest = { kind: 'index' } | { kind: 'file'; path: string } | { kind: 'invalid' };

/** What a request target asks for under /data/, or null when it is not under /data/ (each segment decoded once, as for /models/). */
export function parseDataRequest(rawUrl: string | undefined): DataRequest | null {
  if (rawUrl === undefined) return null;
  const q = rawUrl.search(/[?#]/);
  const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (!pathname.startsWith(DATA_PREFIX)) return null;
  const rest = pathname.slice(DATA_PREFIX.length);
  if (rest === 'index.json') return { kind: 'index' };
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return { kind: 'invalid' };
    }
    if (!isSafeSegment(s)) return { kind: 'invalid' };
    segments.push(s);
  }
  return { kind: 'file', path: segments.join('/') };
}

/**
 * Serves `/data/index.json` and `/data/<path>` from the shared data folder, so the lab's worker can
 * build the same text sources as the command line. A file is served only when the listing has it
 * and its real path stays inside `root()`.
 */
export function createDataMiddleware(root: () => string): Middleware {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const request = parseDataRequest(req.url);
    if (!request) return false;
    if (refusedMethod(req, res)) return true;
    if (request.kind === 'invalid') {
      plain(res, 400, 'Bad data path\n');
      return true;
    }
    const dir = root();
    const files = await listDataFiles(dir);
    if (request.kind === 'index') {
      const body = JSON.stringify(files);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    if (!files.some((f) => f.path === request.path)) {
      plain(res, 404, 'No such data file\n');
      return true;
    }
    const real = await realpath(join(dir, request.path));
    if (!isInside(real, await realpath(dir), sep)) {
      plain(res, 404, 'No such data file\n');
      return true;
    }
    await sendFile(req, res, real);
    return true;
  };
  return (req, res, next) => {
    handle(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      () => {
        if (!res.headersSent) plain(res, 500, 'Data server error\n');
        else res.destroy();
      },
    );
  };
}
