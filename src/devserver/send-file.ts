import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseByteRange } from './byte-range.ts';
import { contentTypeFor } from './content-type.ts';

function etagOf(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * Sends one file with validators and single-range support. Headers come from fstat of the open
 * descriptor, so a file swapped between the catalog scan and this read cannot make the declared
 * length disagree with the bytes sent.
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, realPath: string): Promise<void> {
  const handle = await open(realPath, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      res.writeHead(404).end();
      return;
    }
    const size = info.size;
    const etag = etagOf(size, info.mtimeMs);
    const lastModified = info.mtime.toUTCString();
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', lastModified);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');

    if (matchesEtag(req.headers['if-none-match'], etag)) {
      res.writeHead(304).end();
      return;
    }

    const ifRange = req.headers['if-range'];
    const rangeStillValid = ifRange === undefined || ifRange === etag || ifRange === lastModified;
    const range = rangeStillValid ? parseByteRange(req.headers.range, size) : { kind: 'full' as const };

    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypeFor(realPath),
      'Content-Length': end - start + 1,
    };
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(range.kind === 'partial' ? 206 : 200, headers);

    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    // autoClose off: the finally below owns the descriptor, whichever way the stream ends.
    await pipeline(handle.createReadStream({ start, end, autoClose: false }), res);
  } finally {
    await handle.close();
  }
}
