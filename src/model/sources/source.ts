/**
 * Where model files come from. Loading code only ever sees this interface, so a local folder, files the user
 * dropped into the page, a plain HTTP server and the Hugging Face Hub are interchangeable.
 */
import type { ByteSource } from '../safetensors.ts';

export type { ByteSource };

export interface ModelSource {
  /** For messages: the folder path, URL or hub repo@revision. */
  describe: string;
  has(file: string): Promise<boolean>;
  /** Random access; over HTTP this uses Range requests or a cached copy. */
  open(file: string): Promise<ByteSource>;
  text(file: string): Promise<string>;
}

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
}

export class ModelSourceError extends Error {
  override name = 'ModelSourceError';
}

/** Separate class so callers can tell "not there" (try another file) from "could not read it" (give up). */
export class ModelFileNotFoundError extends ModelSourceError {
  override name = 'ModelFileNotFoundError';
  constructor(
    readonly file: string,
    readonly where: string,
    detail = '',
  ) {
    super(`${file} not found in ${where}${detail ? ` (${detail})` : ''}`);
  }
}

const SEGMENT = /^[A-Za-z0-9_\-.]+$/;

/**
 * File names reach us from untrusted JSON (a shard index's weight_map), so every source checks them before
 * touching a path or URL: relative, '/'-separated, no '.'/'..' segments, nothing a URL or a shell would
 * reinterpret. Returns the name unchanged.
 */
export function checkFileName(file: string, where: string): string {
  const bad = (why: string): never => {
    throw new ModelSourceError(`refusing file name ${JSON.stringify(file)} for ${where}: ${why}`);
  };
  if (typeof file !== 'string' || file.length === 0) bad('it is empty');
  if (file.length > 512) bad('it is longer than 512 characters');
  for (const seg of file.split('/')) {
    if (seg === '') bad('it has an empty path segment (leading, trailing or doubled "/")');
    if (seg === '.' || seg === '..') bad('it contains a "." or ".." segment');
    if (!SEGMENT.test(seg)) bad('only letters, digits, "_", "-", "." and "/" are allowed');
  }
  return file;
}

export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}
