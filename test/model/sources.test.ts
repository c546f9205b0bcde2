import { ASSETS } from '../helpers/fixtures.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/model/config.ts';
import { readTensorRows } from '../../src/model/safetensors.ts';
import { openWeights } from '../../src/model/shards.ts';
import { browserFilesSource } from '../../src/model/sources/browser-files.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { checkFileName, ModelFileNotFoundError, ModelSourceError } from '../../src/model/sources/source.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';

const STORIES = `${ASSETS}models/stories260k`;

describe('checkFileName', () => {
  it('accepts model file names and subfolders', () => {
    for (const ok of ['config.json', 'model-00001-of-00002.safetensors', 'onnx/model.onnx', 'a_b-c.d']) expect(checkFileName(ok, 'x')).toBe(ok);
  });
  it('refuses traversal, absolute paths and odd characters', () => {
    for (const bad of ['', '..', '../config.json', 'a/../b', './a', '/etc/passwd', 'a//b', 'a/', 'a\\b', 'a b', 'a%2e', 'a?b', 'a#b', 'é.json', 'x'.repeat(513)]) {
      expect(() => checkFileName(bad, 'x'), bad).toThrow(ModelSourceError);
    }
  });
});

describe('nodeFolderSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-src-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing folder or a file instead of a folder is a clear error', () => {
    expect(() => nodeFolderSource(join(dir, 'nope'))).toThrow(/model folder .*nope does not exist/);
    writeFileSync(join(dir, 'f.txt'), 'x');
    expect(() => nodeFolderSource(join(dir, 'f.txt'))).toThrow(/is not a folder/);
  });

  it('has / text / open with exact ranges, and names missing files', async () => {
    const src = nodeFolderSource(STORIES);
    expect(src.describe).toBe(STORIES);
    expect(await src.has('config.json')).toBe(true);
    expect(await src.has('nope.json')).toBe(false);
    expect(JSON.parse(await src.text('config.json')).model_type).toBe('llama');
    const file = readFileSync(join(STORIES, 'model.safetensors'));
    const bs = await src.open('model.safetensors');
    expect(bs.size).toBe(file.length);
    expect(Buffer.from(await bs.read(1000, 4096))).toEqual(file.subarray(1000, 5096));
    expect((await bs.read(bs.size, 0)).length).toBe(0);
    await expect(bs.read(bs.size - 2, 4)).rejects.toThrow(/outside its/);
    await expect(src.open('nope.safetensors')).rejects.toBeInstanceOf(ModelFileNotFoundError);
    await expect(src.text('nope.json')).rejects.toThrow(/nope\.json not found in/);
    await expect(src.has('../stories260k/config.json')).rejects.toThrow(/"\.\." segment/);
  });
});

describe('browserFilesSource', () => {
  const file = (path: string, rel?: string) => {
    const f = new File([readFileSync(path)], path.split('/').pop()!);
    if (rel) Object.defineProperty(f, 'webkitRelativePath', { value: rel });
    return f;
  };

  it('loads a picked folder: matched by base name, shallowest copy wins', async () => {
    const decoy = new File(['{"model_type": "gpt2"}'], 'config.json');
    Object.defineProperty(decoy, 'webkitRelativePath', { value: 'stories/old/config.json' });
    const files = [
      decoy,
      file(join(STORIES, 'config.json'), 'stories/config.json'),
      file(join(STORIES, 'model.safetensors'), 'stories/model.safetensors'),
      file(join(STORIES, 'tokenizer.json'), 'stories/tokenizer.json'),
      file(join(STORIES, 'tokenizer_config.json'), 'stories/tokenizer_config.json'),
    ];
    const src = browserFilesSource(files);
    expect(src.describe).toBe('picked folder stories');
    expect(parseConfig(JSON.parse(await src.text('config.json'))).arch).toBe('llama');
    expect(await src.has('model.safetensors.index.json')).toBe(false);
    const idx = await openWeights(src);
    const info = idx.tensors.get('model.embed_tokens.weight')!;
    const fromFiles = await readTensorRows(await idx.open(info.file), info, 10, 3);
    const disk = await openWeights(nodeFolderSource(STORIES));
    expect(fromFiles).toEqual(await readTensorRows(await disk.open('model.safetensors'), disk.tensors.get(info.name)!, 10, 3));
    expect((await loadTokenizer(src)).encode('Once upon a time')).toEqual([403, 407, 261, 378]);
  });

  it('dropped files without a folder; a missing file names the selection', async () => {
    const src = browserFilesSource([file(join(STORIES, 'config.json'))]);
    expect(src.describe).toBe('1 picked file');
    expect(await src.has('config.json')).toBe(true);
    await expect(src.open('model.safetensors')).rejects.toThrow(/model\.safetensors not found in 1 picked file \(add it to the selection\)/);
    const bs = await src.open('config.json');
    await expect(bs.read(0, bs.size + 1)).rejects.toThrow(/outside its/);
  });
});
