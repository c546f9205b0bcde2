import { isSafeSegment } from './safe-name.ts';

export const MODELS_PREFIX = '/models/';

export type ModelRequest =
  | { kind: 'index' }
  | { kind: 'file'; model: string; path: string }
  | { kind: 'invalid' };

/**
 * Maps a raw request target to what it asks for, or null when it is not under /models/.
 * Works on the undecoded URL and decodes each segment exactly once, so `%2f` cannot smuggle a
 * separator in and `%252e` stays the literal, refused, `%2e`.
 */
export function parseModelRequest(rawUrl: string | undefined): ModelRequest | null {
  if (rawUrl === undefined) return null;
  const query = rawUrl.search(/[?#]/);
  const pathname = query === -1 ? rawUrl : rawUrl.slice(0, query);
  if (!pathname.startsWith(MODELS_PREFIX)) return null;
  const rest = pathname.slice(MODELS_PREFIX.length);
  if (rest === 'index.json') return { kind: 'index' };
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { kind: 'invalid' };
    }
    if (!isSafeSegment(segment)) return { kind: 'invalid' };
    segments.push(segment);
  }
  if (segments.length < 2) return { kind: 'invalid' };
  return { kind: 'file', model: segments[0], path: segments.slice(1).join('/') };
}
