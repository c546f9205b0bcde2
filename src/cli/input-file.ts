/**
 * Files the command line reads (solutions, results, texts), each checked before a byte is read: a
 * regular file (a device, pipe or folder would hang, fill the memory or abort), of at most a size
 * the command can use. One rule, one set of words, for every such flag.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { formatBytes } from '../util/bytes.ts';
import { solutionSizeProblem } from '../util/solution-size.ts';
import { UsageError } from './errors.ts';

/** A text or results file larger than this is not one the lab wrote or could use. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** The bytes of `path`, or a UsageError naming `flag` and what is wrong. */
export function readInputFile(flag: string, path: string, what: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  if (!existsSync(path)) throw new UsageError(`${flag}: no file at ${path}.`);
  const info = statSync(path);
  if (info.isDirectory()) throw new UsageError(`${flag}: ${path} is a folder; give ${what}.`);
  if (!info.isFile()) throw new UsageError(`${flag}: ${path} is not a regular file (a device or a pipe); save it to a file first, then give that.`);
  if (info.size > maxBytes) throw new UsageError(`${flag}: ${path} is ${formatBytes(info.size)}, more than ${formatBytes(maxBytes)}; give ${what}.`);
  return readFileSync(path);
}

/** A solution file's bytes: a regular file no bigger than a solution can be. */
export function readSolutionFile(flag: string, path: string): Uint8Array {
  if (existsSync(path) && statSync(path).isFile()) {
    const problem = solutionSizeProblem(path, statSync(path).size);
    if (problem) throw new UsageError(`${flag}: ${problem}`);
  }
  return new Uint8Array(readInputFile(flag, path, 'a .safetensors solution saved by compress or the lab'));
}
