import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/model/load.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { Fnv64 } from '../../src/util/fnv.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

describe('model fingerprint (stored in solution files)', () => {
  it('FNV-1a 64 arithmetic matches BigInt on the same 16-bit inputs', () => {
    const bigFnv = (halves: number[]) => {
      let x = 0xcbf29ce484222325n;
      for (const v of halves) x = ((x ^ BigInt(v)) * 0x100000001b3n) & 0xffffffffffffffffn;
      return x.toString(16).padStart(16, '0');
    };
    const h = new Fnv64();
    const words = [0x00120061, 0xffffffff, 0x3f800000, 0];
    for (const w of words) h.word(w);
    expect(h.hex()).toBe(bigFnv(words.flatMap((w) => [w & 0xffff, w >>> 16])));
  });

  it('is stable for the same files and changes when one weight value changes', async () => {
    const gpu = await testGpu();
    const src = `${FIXTURES}llama-gqa-untied`;
    const a = await loadModel(gpu, nodeFolderSource(src));
    const b = await loadModel(gpu, nodeFolderSource(src));
    expect(a.fingerprint).toBe(b.fingerprint);
    const dir = mkdtempSync(join(tmpdir(), 'protolab-fp-'));
    for (const f of ['config.json', 'tokenizer.json']) copyFileSync(join(src, f), join(dir, f));
    const bytes = readFileSync(join(src, 'model.safetensors'));
    const n = Number(bytes.readBigUInt64LE(0));
    bytes.writeFloatLE(bytes.readFloatLE(8 + n) + 0.5, 8 + n); // the first value of the first tensor
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const c = await loadModel(gpu, nodeFolderSource(dir));
    expect(c.fingerprint).not.toBe(a.fingerprint);
    for (const m of [a, b, c]) m.destroy();
  });
});
