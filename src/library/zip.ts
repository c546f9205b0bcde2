/**
 * Many solutions as one zip (export), and the .safetensors files inside a dropped zip (import).
 * fflate does the zip format; solution files are already dense floats, so they are stored, not
 * deflated.
 */
import { unzipSync, zipSync } from 'fflate';
import { uniqueNames } from './names.ts';

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export function zipFiles(files: readonly NamedBytes[]): Uint8Array {
  const names = uniqueNames(files.map((f) => f.name));
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
  files.forEach((f, i) => (entries[names[i]] = [f.bytes, { level: 0 }]));
  return zipSync(entries);
}

export class ZipReadError extends Error {
  override name = 'ZipReadError';
}

/** The .safetensors entries of a zip (folders inside it included); anything else is skipped. */
export function unzipSolutions(bytes: Uint8Array, zipName: string): NamedBytes[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => /\.safetensors$/i.test(f.name) && !f.name.split('/').some((p) => p.startsWith('.')) });
  } catch (e) {
    throw new ZipReadError(`${zipName} is not a readable zip file (${(e as Error).message}); export the solutions again or import the .safetensors files one by one.`);
  }
  return Object.entries(entries).map(([path, data]) => ({ name: `${zipName}/${path}`, bytes: data }));
}

export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}
