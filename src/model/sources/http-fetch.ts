/**
 * Fetch plumbing for the HTTP sources: bounded retries, status classification and bodies whose length is
 * checked against what the server promised, so a connection cut half way is retried instead of being taken for
 * a complete file.
 */
import { ModelSourceError } from './source.ts';

/** Worth another attempt: network failures, truncated bodies, 408/425/429/5xx. */
export class TransientError extends ModelSourceError {
  override name = 'TransientError';
}

export type FetchFn = typeof fetch;

export function retryable(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  if (e instanceof ModelSourceError) return false;
  // fetch rejects with TypeError for network failures; body streams cut mid-way reject with TypeError too.
  return e instanceof TypeError || (e instanceof Error && /terminated|socket|ECONNRESET|network/i.test(e.message));
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export async function withRetries<T>(what: string, attempts: number, delayMs: number, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e)) throw e;
      if (attempt >= attempts) {
        throw new ModelSourceError(`${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${(e as Error).message}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, delayMs * attempt));
    }
  }
}

export function contentLength(res: Response): number | null {
  const v = res.headers.get('content-length');
  if (v === null || !/^\d+$/.test(v.trim())) return null;
  return Number(v);
}

/** Total size from "bytes 0-0/12345" or the unsatisfied-range form "bytes (star)/12345". */
export function totalFromContentRange(res: Response): number | null {
  const m = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  return m ? Number(m[1]) : null;
}

export function startFromContentRange(res: Response): number | null {
  const m = /^\s*bytes\s+(\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * A body shorter than Content-Length is a cut connection. A longer one can only be a body the runtime
 * decompressed (Content-Length counts the compressed bytes), and a cut compressed stream fails in the
 * decompressor, so "at least" is the right test unless the caller needs the exact count (range reads).
 */
export function checkLength(count: number, expected: number | null, exact: boolean, what: string): void {
  if (expected === null) return;
  if (count < expected || (exact && count !== expected)) {
    throw new TransientError(`${what}: received ${count} of ${expected} bytes (connection cut or file changed)`);
  }
}

export async function readBody(res: Response, expected: number | null, exact: boolean, what: string, onBytes?: (loaded: number) => void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let count = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      count += value.byteLength;
      onBytes?.(count);
    }
  }
  checkLength(count, expected, exact, what);
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(count);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Passes a body through, reporting progress, and errors the stream at the end if it came up short. */
export function verifyingStream(expected: number | null, what: string, onBytes?: (loaded: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let count = 0;
  return new TransformStream({
    transform(chunk, ctl) {
      count += chunk.byteLength;
      onBytes?.(count);
      ctl.enqueue(chunk);
    },
    flush(ctl) {
      try {
        checkLength(count, expected, false, what);
      } catch (e) {
        ctl.error(e);
      }
    },
  });
}

export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Nothing to do: the body is unwanted either way.
  }
}
