/**
 * The largest solution file the lab accepts. A solution is two vectors (or a few memory vectors)
 * and its text: a few MiB at most even for 8192-wide models and long texts. Anything bigger is
 * model weights or something else picked by mistake, refused before it is read into memory.
 * Pure and engine-free, so the page checks a picked file's size before reading it.
 */
import { formatBytes } from './bytes.ts';

export const MAX_SOLUTION_BYTES = 16 << 20;

/** The refusal for a file of `size` bytes, or null when the size is fine. */
export function solutionSizeProblem(name: string, size: number): string | null {
  if (size <= MAX_SOLUTION_BYTES) return null;
  return `${name} is ${formatBytes(size)}, too big for a solution file (at most ${formatBytes(MAX_SOLUTION_BYTES)}: a solution holds two vectors and their metadata). Pick a .safetensors solution saved by the lab, not model weights.`;
}
