/**
 * A model that exists only in memory: a config.json object and a model.safetensors whose bytes are
 * computed on demand from a seed. Benchmarks use it for the exact shapes of models too big to keep
 * on disk here (Pythia-160M, Llama-3.2-1B): the normal loader (loadModel) reads it like any folder,
 * and no buffer larger than one read slice is ever held, so a 5 GB checkpoint costs no 5 GB file.
 *
 * Values: every weight matrix and bias uniform with standard deviation `std` (default 0.02, the
 * Hugging Face initializer_range), norm weights such that each norm scales by 1 (1, or 0 where the
 * model adds 1 to them: Gemma). Each value is a hash of (seed, tensor, index),
 * so any byte range reads the same every time, in any order.
 */
import { parseConfig } from '../config.ts';
import type { ByteSource } from '../safetensors.ts';
import { expectedShapes, modelPlan } from '../weights.ts';
import { layerNormPlans } from '../weight-plan.ts';
import { ModelFileNotFoundError, ModelSourceError, type ModelSource } from './source.ts';

export const RANDOM_WEIGHTS_FILE = 'model.safetensors';

interface Entry {
  name: string;
  index: number;
  /** Absolute byte offsets in the file. */
  begin: number;
  end: number;
  /** A norm weight: every element this value. */
  fill: number | null;
}

export interface RandomModelOptions {
  seed?: number;
  /** Standard deviation of the uniform weights (default 0.02). */
  std?: number;
  /** For messages; default "random:<model_type>". */
  describe?: string;
}

/** Uniform in [-1, 1) from (seed, tensor, element): a 32-bit avalanche mix of the three. */
function unitValue(seed: number, tensor: number, i: number): number {
  let z = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(tensor + 1, 0xc2b2ae35) ^ i) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x27d4eb2f) >>> 0;
  z = (z ^ (z >>> 15)) >>> 0;
  return z / 2147483648 - 1;
}

/**
 * The in-memory model for `config` (a Hugging Face config.json object). The config is parsed here
 * so a bad one fails at once with the parser's message; the tensor list is the engine's own weight
 * plan for it, so the loader finds exactly what it asks for.
 */
export function randomModelSource(config: Record<string, unknown>, o: RandomModelOptions = {}): ModelSource & { weightBytes: number } {
  const spec = parseConfig(config);
  const seed = (o.seed ?? 0) >>> 0;
  const scale = (o.std ?? 0.02) * Math.sqrt(3); // uniform on [-a, a] has std a / sqrt(3)
  const plan = modelPlan(spec);
  // Each norm weight's stored value: 1 - offset, so that every norm scales by 1.
  const normWeights = new Map([plan.finalNorm, ...plan.layers.flatMap(layerNormPlans)].map((n) => [n.w, 1 - (n.offset ?? 0)]));
  const shapes = [...expectedShapes(plan)];

  const header: Record<string, unknown> = { __metadata__: { format: 'pt', generator: `randomModelSource seed ${seed}` } };
  let offset = 0;
  const relative: { name: string; begin: number; end: number }[] = [];
  for (const [name, shape] of shapes) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    relative.push({ name, begin: offset, end: offset + bytes });
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the data section starts 8-byte aligned, like safetensors' own writer
  const headerBytes = new Uint8Array(8 + json.length);
  new DataView(headerBytes.buffer).setUint32(0, json.length, true);
  headerBytes.set(new TextEncoder().encode(json), 8);
  const dataStart = headerBytes.length;
  const entries: Entry[] = relative.map((r, index) => ({ name: r.name, index, begin: dataStart + r.begin, end: dataStart + r.end, fill: normWeights.get(r.name) ?? null }));
  const size = dataStart + offset;
  const describe = o.describe ?? `random:${spec.arch}`;

  const weights: ByteSource = {
    size,
    describe: `${describe}/${RANDOM_WEIGHTS_FILE}`,
    async read(at, length) {
      if (at < 0 || length < 0 || at + length > size) throw new ModelSourceError(`${describe}: read of ${length} bytes at ${at} is outside its ${size} bytes`);
      const out = new Uint8Array(length);
      const stop = at + length;
      if (at < dataStart) out.set(headerBytes.subarray(at, Math.min(stop, dataStart)), 0);
      for (const e of entries) {
        if (e.end <= at || e.begin >= stop) continue;
        // Whole elements covering the overlap, then the exact bytes asked for.
        const from = Math.floor((Math.max(at, e.begin) - e.begin) / 4);
        const to = Math.ceil((Math.min(stop, e.end) - e.begin) / 4);
        const values = new Float32Array(to - from);
        if (e.fill !== null) values.fill(e.fill);
        else for (let i = 0; i < values.length; i++) values[i] = scale * unitValue(seed, e.index, from + i);
        const bytes = new Uint8Array(values.buffer);
        const first = e.begin + from * 4;
        const lo = Math.max(at, first);
        const hi = Math.min(stop, first + bytes.length);
        out.set(bytes.subarray(lo - first, hi - first), lo - at);
      }
      return out;
    },
  };

  const configText = JSON.stringify(config);
  return {
    describe,
    weightBytes: offset,
    async has(file) {
      return file === 'config.json' || file === RANDOM_WEIGHTS_FILE;
    },
    async open(file) {
      if (file !== RANDOM_WEIGHTS_FILE) throw new ModelFileNotFoundError(file, describe, 'an in-memory random model has only config.json and model.safetensors');
      return weights;
    },
    async text(file) {
      if (file !== 'config.json') throw new ModelFileNotFoundError(file, describe, 'an in-memory random model has only config.json and model.safetensors');
      return configText;
    },
  };
}
