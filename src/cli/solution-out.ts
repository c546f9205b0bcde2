/**
 * Where `compress --out` writes a solution, checked before any work (a run of minutes must not be
 * lost to a missing folder at its end), and the write itself: through a temporary file renamed
 * into place, so an interrupted write never leaves half a file under the name.
 */
import { closeSync, existsSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SOLUTION_FORMAT } from '../prototokens/solution-file.ts';
import { UsageError } from './errors.ts';

/** Headers of solution files are a few kilobytes; a longer one is some other safetensors file. */
const MAX_SOLUTION_HEADER = 1 << 20;

/** Whether `path` starts as a file of this lab in `format` (default a solution): safetensors whose metadata names it. */
export function isSolutionFile(path: string, format = SOLUTION_FORMAT): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) !== 8) return false;
    const n = head.readBigUInt64LE(0);
    if (n < 2n || n > BigInt(MAX_SOLUTION_HEADER)) return false;
    const json = Buffer.alloc(Number(n));
    if (readSync(fd, json, 0, json.length, 8) !== json.length) return false;
    const header = JSON.parse(json.toString('utf8')) as { __metadata__?: { format?: unknown } };
    return header.__metadata__?.format === format;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * The path to write to, or a UsageError naming what is wrong: a missing folder, a folder or a
 * device at the path, a file that is not a solution of this lab (never overwritten), or a
 * solution without --force. `kind` names another of the lab's file formats (a universal m).
 */
export function checkSolutionOut(out: string, force: boolean, kind = { format: SOLUTION_FORMAT, name: 'solution' }): string {
  const path = resolve(out);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out: the folder ${dir} does not exist; create it first, or give another path.`);
  if (!existsSync(path)) return path;
  const info = statSync(path);
  if (info.isDirectory()) throw new UsageError(`--out: ${path} is a folder; give a file name, e.g. --out ${out.replace(/\/$/u, '')}/solution.safetensors.`);
  if (!info.isFile()) throw new UsageError(`--out: ${path} is not a regular file; give a file name for the ${kind.name}.`);
  if (!isSolutionFile(path, kind.format)) throw new UsageError(`--out: ${path} exists and is not a ${kind.name} file of this lab; it is left untouched: give another name.`);
  if (!force) throw new UsageError(`--out: ${path} already holds a ${kind.name}; add --force to replace it, or give another name.`);
  return path;
}

/** Writes `bytes` to `path` through a temporary file beside it, renamed into place. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}
