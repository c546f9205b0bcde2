import { encodeSafetensors, readTensor, bytesSource, type ByteSource } from '../model/safetensors.ts';
import {
  SOLUTION_FORMAT,
  SolutionFileError,
  checkSolutionSize,
  decodeRunMeta,
  decodeSolution,
  encodeRunMeta,
  finiteVector,
  readSolutionHeader,
  type RunMeta,
  type Solution,
} from '../prototokens/solution-file.ts';

/** The `method` metadata value of a memory-token solution (one-shot solutions have none, or "oneshot"). */
export const MEMORY_METHOD = 'memory';

export interface MemorySolutionMeta extends RunMeta {
  /** Memory vectors (rows of the `memory` tensor). */
  K: number;
}

export interface MemorySolution {
  /** [K·d] row-major. */
  memory: Float32Array;
  meta: MemorySolutionMeta;
}

/**
 * A memory-token solution is a safetensors file like a one-shot one (docs/SOLUTIONS.md): tensor
 * `memory` (F32, [K, hidden]) and `__metadata__` with format "protolab-solution/1" and method "memory".
 */
export function encodeMemorySolution(s: MemorySolution): Uint8Array {
  const m = s.meta;
  if (s.memory.length !== m.K * m.hidden) throw new Error(`The memory has ${s.memory.length} values; ${m.K} vectors of width ${m.hidden} need ${m.K * m.hidden}.`);
  return encodeSafetensors([{ name: 'memory', shape: [m.K, m.hidden], data: s.memory }], {
    format: SOLUTION_FORMAT,
    method: MEMORY_METHOD,
    ...encodeRunMeta(m),
    memory_tokens: String(m.K),
  });
}

export async function decodeMemorySolution(src: ByteSource): Promise<MemorySolution> {
  const header = await readSolutionHeader(src);
  const md = header.metadata;
  if (md.format !== SOLUTION_FORMAT || md.method !== MEMORY_METHOD) {
    throw new SolutionFileError(`${src.describe} is not a memory-token solution (no format "${SOLUTION_FORMAT}" with method "${MEMORY_METHOD}" in its metadata).`);
  }
  const mem = header.tensors.get('memory');
  if (!mem || mem.shape.length !== 2 || mem.shape[0] < 1 || mem.shape[1] < 1) throw new SolutionFileError(`${src.describe} must hold a tensor memory of shape [K, hidden].`);
  const run = decodeRunMeta(md, src.describe);
  const K = Number(md.memory_tokens);
  if (md.memory_tokens === undefined || md.memory_tokens.trim() === '' || !Number.isFinite(K)) throw new SolutionFileError(`${src.describe}: metadata field memory_tokens is missing or not a number.`);
  const meta: MemorySolutionMeta = { ...run, K };
  if (meta.K !== mem.shape[0] || meta.hidden !== mem.shape[1]) {
    throw new SolutionFileError(`${src.describe}: memory_tokens ${meta.K} and hidden_size ${meta.hidden} disagree with the memory tensor's shape [${mem.shape.join(', ')}].`);
  }
  return { memory: finiteVector(src.describe, 'memory', await readTensor(src, mem)), meta };
}

export function decodeMemorySolutionBytes(bytes: Uint8Array, name: string): Promise<MemorySolution> {
  checkSolutionSize(name, bytes.length);
  return decodeMemorySolution(bytesSource(bytes, name));
}

export type AnySolution = { method: 'oneshot'; solution: Solution } | { method: 'memory'; solution: MemorySolution };

/** Reads a solution file of either method (told apart by the `method` metadata field). */
export async function decodeAnySolutionBytes(bytes: Uint8Array, name: string): Promise<AnySolution> {
  checkSolutionSize(name, bytes.length);
  const src = bytesSource(bytes, name);
  const method: string | undefined = (await readSolutionHeader(src)).metadata.method;
  if (method === MEMORY_METHOD) return { method: 'memory', solution: await decodeMemorySolution(src) };
  if (method !== undefined && method !== 'oneshot') throw new SolutionFileError(`${name}: unknown solution method "${method}" (expected oneshot or memory).`);
  return { method: 'oneshot', solution: await decodeSolution(src) };
}
