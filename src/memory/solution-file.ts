import { encodeSafetensors, readSafetensorsHeader, readTensor, bytesSource, type ByteSource } from '../model/safetensors.ts';
import { SOLUTION_FORMAT, SolutionFileError, checkSolutionSize, decodeSolution, type Solution } from '../prototokens/solution-file.ts';

/** The `method` metadata value of a memory-token solution (one-shot solutions have none, or "oneshot"). */
export const MEMORY_METHOD = 'memory';

export interface MemorySolutionMeta {
  model: string;
  modelFingerprint: string;
  hidden: number;
  /** Memory vectors (rows of the `memory` tensor). */
  K: number;
  targetIds: number[];
  text: string;
  seed: number;
  lr: number;
  init: string;
  steps: number;
  loss: number;
  /** Teacher-forced accuracy at the best step, and the tokens right. */
  accuracy: number;
  cTokens: number;
  seconds: number;
  createdAt: string;
  labVersion: string;
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
    model: m.model,
    model_fingerprint: m.modelFingerprint,
    hidden_size: String(m.hidden),
    memory_tokens: String(m.K),
    target_ids: JSON.stringify(m.targetIds),
    text: m.text,
    seed: String(m.seed),
    lr: String(m.lr),
    init: m.init,
    steps: String(m.steps),
    loss: String(m.loss),
    accuracy: String(m.accuracy),
    c_tokens: String(m.cTokens),
    seconds: String(m.seconds),
    created_at: m.createdAt,
    lab_version: m.labVersion,
  });
}

export async function decodeMemorySolution(src: ByteSource): Promise<MemorySolution> {
  let header;
  try {
    header = await readSafetensorsHeader(src);
  } catch (e) {
    throw new SolutionFileError(`${src.describe} is not a readable solution file: ${(e as Error).message}`);
  }
  const md = header.metadata;
  if (md.format !== SOLUTION_FORMAT || md.method !== MEMORY_METHOD) {
    throw new SolutionFileError(`${src.describe} is not a memory-token solution (no format "${SOLUTION_FORMAT}" with method "${MEMORY_METHOD}" in its metadata).`);
  }
  const mem = header.tensors.get('memory');
  if (!mem || mem.shape.length !== 2 || mem.shape[0] < 1 || mem.shape[1] < 1) throw new SolutionFileError(`${src.describe} must hold a tensor memory of shape [K, hidden].`);
  const num = (k: string): number => {
    const v = Number(md[k]);
    if (md[k] === undefined || md[k].trim() === '' || !Number.isFinite(v)) throw new SolutionFileError(`${src.describe}: metadata field ${k} is missing or not a number.`);
    return v;
  };
  let targetIds: unknown;
  try {
    targetIds = JSON.parse(md.target_ids ?? 'null');
  } catch {
    targetIds = null;
  }
  if (!Array.isArray(targetIds) || targetIds.length === 0 || !targetIds.every((t) => Number.isInteger(t) && t >= 0)) {
    throw new SolutionFileError(`${src.describe}: metadata field target_ids must be a non-empty JSON list of token ids.`);
  }
  const meta: MemorySolutionMeta = {
    model: md.model ?? '',
    modelFingerprint: md.model_fingerprint ?? '',
    hidden: num('hidden_size'),
    K: num('memory_tokens'),
    targetIds: targetIds as number[],
    text: md.text ?? '',
    seed: num('seed'),
    lr: num('lr'),
    init: md.init ?? 'normal',
    steps: num('steps'),
    loss: num('loss'),
    accuracy: num('accuracy'),
    cTokens: num('c_tokens'),
    seconds: num('seconds'),
    createdAt: md.created_at ?? '',
    labVersion: md.lab_version ?? '',
  };
  if (meta.K !== mem.shape[0] || meta.hidden !== mem.shape[1]) {
    throw new SolutionFileError(`${src.describe}: memory_tokens ${meta.K} and hidden_size ${meta.hidden} disagree with the memory tensor's shape [${mem.shape.join(', ')}].`);
  }
  return { memory: await readTensor(src, mem), meta };
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
  let method: string | undefined;
  try {
    method = (await readSafetensorsHeader(src)).metadata.method;
  } catch (e) {
    throw new SolutionFileError(`${name} is not a readable solution file: ${(e as Error).message}`);
  }
  if (method === MEMORY_METHOD) return { method: 'memory', solution: await decodeMemorySolution(src) };
  if (method !== undefined && method !== 'oneshot') throw new SolutionFileError(`${name}: unknown solution method "${method}" (expected oneshot or memory).`);
  return { method: 'oneshot', solution: await decodeSolution(src) };
}

/** Refuses a solution made for another model, naming both (the one-shot check, for either method). */
export function checkSolutionFits(meta: { model: string; modelFingerprint: string; hidden: number }, model: { id: string; fingerprint: string; spec: { hidden: number } }): void {
  if (meta.hidden !== model.spec.hidden) {
    throw new SolutionFileError(`This solution has width ${meta.hidden} (made with ${meta.model}); the loaded model ${model.id} has width ${model.spec.hidden}. Load the model it was made with.`);
  }
  if (meta.modelFingerprint !== model.fingerprint) {
    throw new SolutionFileError(`This solution was made with ${meta.model} (fingerprint ${meta.modelFingerprint.slice(0, 12)}), not with the loaded model ${model.id} (${model.fingerprint.slice(0, 12)}). Load the model it was made with.`);
  }
}
