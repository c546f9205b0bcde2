import { ASSETS } from '../helpers/fixtures.ts';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, readTensor, SafetensorsError } from '../../src/model/safetensors.ts';
import { INDEX_FILE, openWeights, requireTensor, WeightsError, type WeightIndex } from '../../src/model/shards.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { ModelSourceError } from '../../src/model/sources/source.ts';

const FIXTURE = `${ASSETS}fixtures/stories260k`;

describe('openWeights', () => {
  let root: string;
  let single: WeightIndex;
  const names: string[] = [];

  /** Writes `dir` with the fixture's tensors split into two shard files and an index over them. */
  async function writeSharded(dir: string, edit?: (map: Record<string, string>) => void, skipShard2 = false): Promise<void> {
    const tensors = await Promise.all(
      names.map(async (name) => {
        const info = single.tensors.get(name)!;
        return { name, shape: info.shape, data: await readTensor(await single.open(info.file), info) };
      }),
    );
    const half = Math.ceil(tensors.length / 2);
    const shards = [tensors.slice(0, half), tensors.slice(half)];
    const files = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const map: Record<string, string> = {};
    shards.forEach((ts, i) => {
      if (i === 0 || !skipShard2) writeFileSync(join(dir, files[i]), encodeSafetensors(ts, { format: 'pt' }));
      for (const t of ts) map[t.name] = files[i];
    });
    edit?.(map);
    writeFileSync(join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: 0 }, weight_map: map }));
  }

  const fresh = (label: string) => {
    const d = join(root, label);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    return d;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'protolab-shards-'));
    single = await openWeights(nodeFolderSource(FIXTURE));
    names.push(...single.tensors.keys());
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads a single model.safetensors', () => {
    expect(single.tensors.size).toBe(47);
    expect(single.tensors.get('model.embed_tokens.weight')).toMatchObject({ file: 'model.safetensors', dtype: 'F32', shape: [512, 64] });
    expect(single.unsupported.size).toBe(0);
  });

  it('reads a sharded checkpoint to the same tensors and values, opening each shard once', async () => {
    const dir = fresh('ok');
    await writeSharded(dir);
    const src = nodeFolderSource(dir);
    let opens = 0;
    const counting = { ...src, open: (f: string) => (opens++, src.open(f)) };
    const idx = await openWeights(counting);
    expect([...idx.tensors.keys()].sort()).toEqual([...names].sort());
    expect(new Set([...idx.tensors.values()].map((t) => t.file))).toEqual(new Set(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']));
    for (const name of names) {
      const a = single.tensors.get(name)!;
      const b = idx.tensors.get(name)!;
      expect(b.shape).toEqual(a.shape);
      expect(await readTensor(await idx.open(b.file), b)).toEqual(await readTensor(await single.open(a.file), a));
    }
    expect(opens).toBe(2);
  });

  it('names a missing shard', async () => {
    const dir = fresh('missing');
    await writeSharded(dir, undefined, true);
    await expect(openWeights(nodeFolderSource(dir))).rejects.toThrow(/shard model-00002-of-00002\.safetensors named in model\.safetensors\.index\.json is missing/);
  });

  it('names a tensor the index promises but the shard lacks', async () => {
    const dir = fresh('absent');
    await writeSharded(dir, (m) => (m['model.layers.9.ghost.weight'] = 'model-00001-of-00002.safetensors'));
    const err = await openWeights(nodeFolderSource(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsError);
    expect((err as Error).message).toMatch(/tensor "model\.layers\.9\.ghost\.weight" is listed in model\.safetensors\.index\.json under model-00001-of-00002\.safetensors but that shard does not contain it/);
  });

  it('refuses shard names that climb out of the folder', async () => {
    const dir = fresh('escape');
    await writeSharded(dir, (m) => (m['model.norm.weight'] = '../ok/model-00001-of-00002.safetensors'));
    await expect(openWeights(nodeFolderSource(dir))).rejects.toThrow(ModelSourceError);
    await expect(openWeights(nodeFolderSource(dir))).rejects.toThrow(/"\.\." segment/);
  });

  it('explains a broken index and a folder without safetensors', async () => {
    const bad = fresh('badindex');
    writeFileSync(join(bad, INDEX_FILE), '{"weight_map": ');
    await expect(openWeights(nodeFolderSource(bad))).rejects.toThrow(/model\.safetensors\.index\.json is not valid JSON/);
    writeFileSync(join(bad, INDEX_FILE), '{"metadata": {}}');
    await expect(openWeights(nodeFolderSource(bad))).rejects.toThrow(/has no weight_map/);
    const none = fresh('none');
    await expect(openWeights(nodeFolderSource(none))).rejects.toThrow(/has neither model\.safetensors nor model\.safetensors\.index\.json/);
    writeFileSync(join(none, 'pytorch_model.bin'), 'x');
    await expect(openWeights(nodeFolderSource(none))).rejects.toThrow(/PyTorch \.bin weights.*convert them to safetensors/);
  });

  it('requireTensor says whether a tensor is absent or unreadable', async () => {
    const dir = fresh('bool');
    copyFileSync(join(FIXTURE, 'config.json'), join(dir, 'config.json'));
    const header = JSON.stringify({ mask: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] }, w: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } });
    const bytes = new Uint8Array(8 + header.length + 6);
    new DataView(bytes.buffer).setUint32(0, header.length, true);
    bytes.set(new TextEncoder().encode(header), 8);
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const idx = await openWeights(nodeFolderSource(dir));
    expect(requireTensor(idx, 'w').shape).toEqual([1]);
    expect(() => requireTensor(idx, 'mask')).toThrow(SafetensorsError);
    expect(() => requireTensor(idx, 'mask')).toThrow(/tensor "mask" in model\.safetensors is BOOL/);
    expect(() => requireTensor(idx, 'lm_head.weight')).toThrow(/has no tensor "lm_head\.weight"/);
  });
});
