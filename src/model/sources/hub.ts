/**
 * The Hugging Face Hub: {endpoint}/{owner}/{name}/resolve/{revision}/{file}, which answers small files directly
 * and redirects large ones to its CDN. The repo id and revision are user input that ends up in a URL path, so
 * both are validated before any URL is built: nothing may climb out of /{owner}/{name}/resolve/.
 */
import { httpSource, type HttpSourceOptions } from './http.ts';
import { checkFileName, ModelSourceError, type DownloadProgress, type ModelSource } from './source.ts';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export class HubNameError extends ModelSourceError {
  override name = 'HubNameError';
}

// Same shape huggingface_hub accepts: word characters, '-' and '.', starting and ending on a word character.
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const MAX_PART = 96;

export function validateRepoId(repoId: string): void {
  const bad = (why: string): never => {
    throw new HubNameError(`invalid Hugging Face repo id ${JSON.stringify(repoId)}: ${why}`);
  };
  if (typeof repoId !== 'string' || repoId.length === 0) bad('it is empty');
  const parts = repoId.split('/');
  if (parts.length !== 2) bad('expected "owner/name", e.g. "EleutherAI/pythia-70m"');
  for (const [label, part] of [['owner', parts[0]], ['name', parts[1]]] as const) {
    if (part.length === 0) bad(`the ${label} is empty`);
    if (part.length > MAX_PART) bad(`the ${label} is longer than ${MAX_PART} characters`);
    if (part.includes('..') || part.includes('--')) bad(`the ${label} contains ".." or "--"`);
    if (!PART.test(part)) bad(`the ${label} may use only letters, digits, "-", "_" and ".", and may not start or end with "-" or "."`);
  }
  if (parts[1].toLowerCase().endsWith('.git')) bad('the name may not end with ".git"');
}

/** Branch or tag names (git ref rules, restricted to URL-safe characters) and commit shas. */
export function validateRevision(revision: string): void {
  const bad = (why: string): never => {
    throw new HubNameError(`invalid revision ${JSON.stringify(revision)}: ${why}`);
  };
  if (typeof revision !== 'string' || revision.length === 0) bad('it is empty');
  if (revision.length > 255) bad('it is longer than 255 characters');
  if (!/^[A-Za-z0-9._\-/]+$/.test(revision)) bad('use a branch, tag or commit sha (letters, digits, "-", "_", ".", "/")');
  if (revision.includes('..')) bad('it contains ".."');
  for (const seg of revision.split('/')) {
    if (seg === '') bad('it has an empty path segment (leading, trailing or doubled "/")');
    if (seg.startsWith('.') || seg.endsWith('.')) bad('a segment starts or ends with "."');
    if (seg.endsWith('.lock')) bad('a segment ends with ".lock"');
  }
}

/** The endpoint as an origin plus optional path, without a trailing slash; refuses anything but plain http(s). */
export function normalizeEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new HubNameError(`hub endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HubNameError(`hub endpoint ${endpoint} must be http or https`);
  if (url.search || url.hash || url.username || url.password) throw new HubNameError(`hub endpoint ${endpoint} may not carry credentials, a query or a fragment`);
  return url.href.replace(/\/+$/, '');
}

export interface HubSourceOptions {
  endpoint?: string;
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
  cache?: Cache | null;
  attempts?: number;
  retryDelayMs?: number;
}

export function hubFileUrl(repoId: string, revision: string, file: string, endpoint = DEFAULT_HUB_ENDPOINT): string {
  validateRepoId(repoId);
  validateRevision(revision);
  return `${normalizeEndpoint(endpoint)}/${repoId}/resolve/${encodeURIComponent(revision)}/${checkFileName(file, repoId).split('/').map(encodeURIComponent).join('/')}`;
}

export function hubSource(repoId: string, revision = 'main', opts: HubSourceOptions = {}): ModelSource {
  validateRepoId(repoId);
  validateRevision(revision);
  const endpoint = normalizeEndpoint(opts.endpoint ?? DEFAULT_HUB_ENDPOINT);
  const describe = `${repoId}@${revision}`;
  // Branch names may contain "/", which the Hub expects percent-encoded inside the single revision segment.
  const base = `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/`;
  const explainStatus: HttpSourceOptions['explainStatus'] = (res, file) => {
    const code = res.headers.get('x-error-code');
    if (res.status === 401 || res.status === 403 || code === 'RepoNotFound' || code === 'GatedRepo') {
      return `the Hub refused ${repoId}: it does not exist, is private, or is gated (this lab sends no access token)`;
    }
    if (code === 'RevisionNotFound') return `the repo has no branch, tag or commit ${JSON.stringify(revision)}`;
    if (code === 'EntryNotFound' || res.status === 404) return `the repo has no file ${file} at ${revision}`;
    return undefined;
  };
  return httpSource(base, { ...opts, describe, explainStatus });
}
