/**
 * Issue 7, "bad input gets a clear message": model folders that are incomplete, a checkpoint that
 * does not match its config, a model bigger than the GPU memory there is, and a load that fails
 * half way. Each message names the problem and what to do; a failed load leaves no GPU memory held.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuAllocationError, type Gpu } from '../../src/gpu/gpu.ts';
import { createNodeGpu } from '../../src/gpu/node.ts';
import { parseConfig } from '../../src/model/config.ts';
import { evaluateTokens } from '../../src/model/evaluate.ts';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import type { ModelSource } from '../../src/model/sources/source.ts';
import { ModelTooBigError, WeightShapeError, WeightValueError, weightBytesOnGpu } from '../../src/model/weights.ts';
import { testGpu } from '../helpers/gpu.ts';
import { STORIES } from '../helpers/fixtures.ts';

const storiesConfig = JSON.parse(readFileSync(join(STORIES, 'config.json'), 'utf8')) as Record<string, unknown>;
const storiesWeightBytes = weightBytesOnGpu(parseConfig(storiesConfig), 'f32', 2 ** 30);

/** A model folder made of stories260k's files, with config.json replaced or left out. */
function modelFolder(config: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-badmodel-'));
  for (const f of ['model.safetensors', 'tokenizer.json']) copyFileSync(join(STORIES, f), join(dir, f));
  if (config !== null) writeFileSync(join(dir, 'config.json'), config);
  return dir;
}

/** The same source, but every weight read after the first `okReads` fails like a dropped connection. */
function failingAfter(src: ModelSource, okReads: number): ModelSource {
  let reads = 0;
  return {
    ...src,
    describe: src.describe,
    has: (f) => src.has(f),
    text: (f) => src.text(f),
    async open(file) {
      const inner = await src.open(file);
      return {
        size: inner.size,
        describe: inner.describe,
        read(offset, length) {
          // The header is read first (two reads); count only the tensor reads after it.
          if (offset >= 8 && length > 8 && ++reads > okReads) return Promise.reject(new Error(`${file}: connection reset after ${okReads} reads`));
          return inner.read(offset, length);
        },
      };
    },
  };
}

describe('bad model folders are refused with a message that says what to do', () => {
  let gpu: Gpu;
  const dirs: string[] = [];
  beforeAll(async () => {
    gpu = await testGpu();
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const folder = (config: string | null) => {
    const d = modelFolder(config);
    dirs.push(d);
    return d;
  };

  it('a folder without config.json', async () => {
    await expect(loadModel(gpu, nodeFolderSource(folder(null)))).rejects.toThrow(/has no config\.json: point at a Hugging Face model folder/);
  });

  it('a config.json that starts with a UTF-8 byte-order mark loads, as Python and transformers read it', async () => {
    const model = await loadModel(gpu, nodeFolderSource(folder(`\uFEFF${JSON.stringify(storiesConfig)}`)));
    expect(model.spec.hidden).toBe(64);
    model.destroy();
  });

  it('a config.json that is not JSON', async () => {
    await expect(loadModel(gpu, nodeFolderSource(folder('{"model_type": "llama", ')))).rejects.toThrow(/config\.json is not valid JSON/);
  });

  it('weights whose shapes disagree with the config name the tensor and both shapes, and upload nothing', async () => {
    const before = gpu.bytesAllocated;
    const dir = folder(JSON.stringify({ ...storiesConfig, intermediate_size: 256 }));
    const err = await loadModel(gpu, nodeFolderSource(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightShapeError);
    expect((err as Error).message).toMatch(/Tensor model\.layers\.0\.mlp\.gate_proj\.weight has shape \[172, 64\] but config\.json implies \[256, 64\]: the weights and the config do not belong together/);
    expect(gpu.bytesAllocated).toBe(before);
  });

  it('a checkpoint missing a tensor the config needs', async () => {
    const dir = folder(JSON.stringify({ ...storiesConfig, tie_word_embeddings: false }));
    await expect(loadModel(gpu, nodeFolderSource(dir))).rejects.toThrow(/The checkpoint has no tensor lm_head\.weight, which a llama model with this config\.json needs/);
  });

  it('a config claiming more layers than the checkpoint holds is refused at once, with both counts (a hundred million layers took minutes)', async () => {
    for (const layers of [6, 100_000_000]) {
      const dir = folder(JSON.stringify({ ...storiesConfig, num_hidden_layers: layers }));
      await expect(loadModel(gpu, nodeFolderSource(dir))).rejects.toThrow(
        `config.json says num_hidden_layers is ${layers}, but the checkpoint holds tensors for 5 layers: the weights and the config do not belong together.`,
      );
    }
  });

  it('a weight that is NaN stops the load, naming the tensor, row and column, and frees what was made', async () => {
    const before = gpu.bytesAllocated;
    const dir = folder(JSON.stringify(storiesConfig));
    const bytes = readFileSync(join(dir, 'model.safetensors'));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: [number, number]; shape: number[] }>;
    const name = 'model.layers.1.mlp.down_proj.weight';
    const [, cols] = header[name].shape;
    // Row 3, column 5 of that matrix (F32, row-major).
    bytes.writeFloatLE(Number.NaN, 8 + n + header[name].data_offsets[0] + 4 * (3 * cols + 5));
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const err = await loadModel(gpu, nodeFolderSource(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightValueError);
    expect((err as Error).message).toBe(`The checkpoint's tensor ${name} holds NaN at row 3, column 5: the weights are damaged (every result would be NaN). Download the model again.`);
    expect(gpu.bytesAllocated).toBe(before);
  });

  it('a load that fails half way frees every tensor it made', async () => {
    const before = gpu.bytesAllocated;
    await expect(loadModel(gpu, failingAfter(nodeFolderSource(STORIES), 10))).rejects.toThrow(/connection reset after 10 reads/);
    expect(gpu.bytesAllocated).toBe(before);
    // And the same device still loads the model afterwards.
    const model = await loadModel(gpu, nodeFolderSource(STORIES));
    expect(gpu.bytesAllocated - before).toBeGreaterThanOrEqual(storiesWeightBytes);
    model.destroy();
  });
});

describe('GPU memory budget', () => {
  it('a model too big for the memory is refused before anything is uploaded, with both sizes', async () => {
    expect(storiesWeightBytes).toBe(1040128); // 1015.8 KiB of float32 weights
    const small = await createNodeGpu({ memoryBudgetBytes: 512 << 10 });
    try {
      const err = await loadModel(small, nodeFolderSource(STORIES)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelTooBigError);
      expect((err as Error).message).toMatch(/weights need 1015\.8 KiB of GPU memory as f32 \(4 bytes a weight, exact\), 1015\.8 KiB in the checkpoint, but the GPU memory budget is 512\.0 KiB\. Pick a smaller model or a smaller weight format \(q8 or q4\)\./);
      expect(small.bytesAllocated).toBe(0);
    } finally {
      small.destroy();
    }
  });

  it('an allocation past the budget during work names the size, what is in use and how to get under it', async () => {
    // Room for the weights and a little more: a short text fits, a long one does not.
    const tight = await createNodeGpu({ memoryBudgetBytes: storiesWeightBytes + (3 << 20) });
    try {
      const model = await loadModel(tight, nodeFolderSource(STORIES));
      const short = await evaluateTokens(model, [1, 403, 407, 261, 378]);
      expect(short.nll.every(Number.isFinite)).toBe(true);
      const held = tight.bytesAllocated;
      const long = Array.from({ length: 500 }, (_, i) => 3 + (i % 500));
      const err = await evaluateTokens(model, long).catch((e: unknown) => e);
      // The session's tensors made before the refusal were freed.
      expect(tight.bytesAllocated).toBe(held);
      expect(err).toBeInstanceOf(GpuAllocationError);
      expect((err as Error).message).toMatch(/Cannot allocate [\w.[\]x]+: [\d.]+ [KM]iB asked for with [\d.]+ MiB already in use, the GPU memory budget is [\d.]+ MiB\. Use a shorter text, a smaller batch or a smaller model\./);
      // The short text still runs afterwards on the same model.
      expect((await evaluateTokens(model, [1, 403, 407])).nll.every(Number.isFinite)).toBe(true);
      model.destroy();
    } finally {
      tight.destroy();
    }
  });
});
