import { ASSETS } from '../helpers/fixtures.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFloats } from '../../src/model/dtype.ts';
import {
  bytesSource,
  encodeSafetensors,
  readSafetensorsHeader,
  readTensor,
  readTensorRows,
  SafetensorsError,
} from '../../src/model/safetensors.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';

const FIXTURES = `${ASSETS}fixtures`;

/** Independent decoders, written from the format definitions rather than shared with the code under test. */
function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

function referenceDecode(bytes: Uint8Array, dtype: string): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < bytes.length; ) {
    if (dtype === 'F32') {
      out.push(v.getFloat32(i, true));
      i += 4;
    } else if (dtype === 'F16') {
      out.push(halfValue(v.getUint16(i, true)));
      i += 2;
    } else {
      scratch.setUint32(0, v.getUint16(i, true) << 16);
      out.push(scratch.getFloat32(0));
      i += 2;
    }
  }
  return out;
}

/** A safetensors file with raw bytes per tensor, for dtypes and damage the F32 writer cannot produce. */
function rawFile(entries: { name: string; dtype: string; shape: number[]; offsets?: [number, number]; bytes: Uint8Array }[], opts: { headerJson?: string; lengthOverride?: number } = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: e.offsets ?? [at, at + e.bytes.length] };
    at += e.bytes.length;
  }
  const json = new TextEncoder().encode(opts.headerJson ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setUint32(0, opts.lengthOverride ?? json.length, true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return out;
}

const u16 = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);

describe('safetensors header and rows on the fixtures', () => {
  const cases = [
    { dir: 'gpt-neox-tiny', dtype: 'F16', count: 28, big: 'gpt_neox.embed_in.weight', shape: [50304, 64], vec: 'gpt_neox.final_layer_norm.bias', meta: { format: 'pt' } },
    { dir: 'gpt-neox-seq-bf16', dtype: 'BF16', count: 40, big: 'embed_out.weight', shape: [512, 48], vec: 'gpt_neox.layers.2.mlp.dense_4h_to_h.bias', meta: { format: 'pt' } },
    { dir: 'llama-gqa-untied', dtype: 'F32', count: 21, big: 'lm_head.weight', shape: [512, 96], vec: 'model.norm.weight', meta: { format: 'pt' } },
    { dir: 'stories260k', dtype: 'F32', count: 47, big: 'model.layers.0.mlp.down_proj.weight', shape: [64, 172], vec: 'model.layers.4.input_layernorm.weight', meta: { format: 'pt' } },
  ];
  for (const c of cases) {
    it(`${c.dir} (${c.dtype})`, async () => {
      const src = await nodeFolderSource(`${FIXTURES}/${c.dir}`).open('model.safetensors');
      const file = new Uint8Array(readFileSync(`${FIXTURES}/${c.dir}/model.safetensors`));
      const { tensors, metadata, unsupported } = await readSafetensorsHeader(src);
      expect(tensors.size).toBe(c.count);
      expect(unsupported.size).toBe(0);
      expect(metadata).toMatchObject(c.meta);
      for (const t of tensors.values()) expect(t.dtype).toBe(c.dtype);
      const big = tensors.get(c.big)!;
      expect(big.shape).toEqual(c.shape);
      const rowBytes = (c.shape[1] * (c.dtype === 'F32' ? 4 : 2));
      const check = async (start: number, count: number) => {
        const got = await readTensorRows(src, big, start, count);
        expect(got.length).toBe(count * c.shape[1]);
        const want = referenceDecode(file.subarray(big.begin + start * rowBytes, big.begin + (start + count) * rowBytes), c.dtype);
        expect(Array.from(got)).toEqual(want);
      };
      await check(0, 1);
      await check(3, 5);
      await check(c.shape[0] - 2, 2);
      await check(7, 0);
      const vec = tensors.get(c.vec)!;
      const whole = await readTensor(src, vec);
      expect(Array.from(await readTensorRows(src, vec, 5, 3))).toEqual(Array.from(whole.subarray(5, 8)));
      expect(Array.from(whole)).toEqual(referenceDecode(file.subarray(vec.begin, vec.end), c.dtype));
      await expect(readTensorRows(src, big, c.shape[0] - 1, 2)).rejects.toThrow(/rows \[\d+, \d+\) requested from tensor .* which has/);
    });
  }
});

describe('F16 / BF16 -> F32 is exact', () => {
  it('F16 known bit patterns: zeros, one, max, subnormals, infinities, NaN payloads', () => {
    const halves = [0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe00];
    const got = decodeFloats(u16(...halves), 'F16');
    const bits = new Uint32Array(got.buffer);
    expect(Object.is(got[0], 0)).toBe(true);
    expect(Object.is(got[1], -0)).toBe(true);
    expect(got[2]).toBe(1);
    expect(got[3]).toBe(-2);
    expect(got[4]).toBe(65504);
    expect(got[5]).toBe(2 ** -24);
    expect(got[6]).toBe(-(2 ** -24));
    expect(got[7]).toBe(1023 * 2 ** -24);
    expect(got[8]).toBe(2 ** -14);
    expect(got[9]).toBe(Math.fround(0.333251953125));
    expect(got[10]).toBe(Infinity);
    expect(got[11]).toBe(-Infinity);
    expect(bits[12]).toBe(0x7fc00000);
    expect(bits[13]).toBe(0x7f802000);
    expect(bits[14]).toBe(0xffc00000);
  });

  it('F16: all 65536 patterns match the format definition', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const got = decodeFloats(new Uint8Array(all.buffer), 'F16');
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const want = halfValue(h);
      if (Number.isNaN(want) ? !Number.isNaN(got[h]) : !Object.is(got[h], want)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('BF16 known bit patterns: one, subnormal, infinities, NaN, negative zero', () => {
    const got = decodeFloats(u16(0x3f80, 0x0001, 0x807f, 0x7f80, 0xff80, 0x7fc1, 0x8000, 0xc2f7), 'BF16');
    const bits = new Uint32Array(got.buffer);
    expect(got[0]).toBe(1);
    expect(got[1]).toBe(2 ** -133);
    expect(got[2]).toBe(-127 * 2 ** -133);
    expect(got[3]).toBe(Infinity);
    expect(got[4]).toBe(-Infinity);
    expect(bits[5]).toBe(0x7fc10000);
    expect(Object.is(got[6], -0)).toBe(true);
    expect(got[7]).toBe(-123.5);
  });

  it('F16/BF16 files read through readTensorRows', async () => {
    const bytes = rawFile([
      { name: 'h', dtype: 'F16', shape: [2, 2], bytes: u16(0x3c00, 0x0001, 0x7c00, 0xc000) },
      { name: 'b', dtype: 'BF16', shape: [3], bytes: u16(0x3f80, 0x0001, 0xff80) },
    ]);
    const src = bytesSource(bytes, 'mem');
    const { tensors } = await readSafetensorsHeader(src);
    expect(Array.from(await readTensorRows(src, tensors.get('h')!, 1, 1))).toEqual([Infinity, -2]);
    expect(Array.from(await readTensor(src, tensors.get('h')!))).toEqual([1, 2 ** -24, Infinity, -2]);
    expect(Array.from(await readTensorRows(src, tensors.get('b')!, 1, 2))).toEqual([2 ** -133, -Infinity]);
  });
});

describe('corrupt files are refused with the file and tensor named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-st-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).fill(1.5).buffer);

  async function refuse(name: string, bytes: Uint8Array, msg: RegExp): Promise<void> {
    writeFileSync(join(dir, name), bytes);
    const src = await nodeFolderSource(dir).open(name);
    const err = await readSafetensorsHeader(src).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toContain(join(dir, name));
    expect((err as Error).message).toMatch(msg);
  }

  it('too short for a header length', () => refuse('short.safetensors', new Uint8Array(5), /too short/));
  it('header length past EOF', () => refuse('len.safetensors', rawFile([{ name: 'w', dtype: 'F32', shape: [2], bytes: f32(2) }], { lengthOverride: 1 << 20 }), /header length 1048576 runs past the end/));
  it('broken JSON', () => refuse('json.safetensors', rawFile([], { headerJson: '{"w": {"dtype": "F32", ' }), /not valid UTF-8 JSON/));
  it('JSON that is not an object', () => refuse('array.safetensors', rawFile([], { headerJson: '[1,2]' }), /not an object/));
  it('overlapping offsets', () =>
    refuse('overlap.safetensors', rawFile([
      { name: 'a', dtype: 'F32', shape: [2], offsets: [0, 8], bytes: f32(2) },
      { name: 'b', dtype: 'F32', shape: [2], offsets: [4, 12], bytes: f32(1) },
    ]), /tensors "a" and "b" overlap/));
  it('out-of-range offsets', () =>
    refuse('range.safetensors', rawFile([{ name: 'w', dtype: 'F32', shape: [4], offsets: [0, 16], bytes: f32(2) }]), /tensor "w": data_offsets \[0, 16\] run past the end/));
  it('unknown dtype', () => refuse('dtype.safetensors', rawFile([{ name: 'w', dtype: 'F33', shape: [2], bytes: f32(2) }]), /tensor "w": unknown dtype "F33"/));
  it('shape / byte size mismatch', () => refuse('shape.safetensors', rawFile([{ name: 'w', dtype: 'F32', shape: [3], bytes: f32(2) }]), /tensor "w": shape \[3\] of F32 needs 12 bytes but data_offsets span 8/));
  it('bad shape entries', () => refuse('dims.safetensors', rawFile([{ name: 'w', dtype: 'F32', shape: [-2], bytes: f32(2) }]), /tensor "w": shape must be/));
  it('offsets ending before they begin', () => refuse('rev.safetensors', rawFile([{ name: 'w', dtype: 'F32', shape: [0], offsets: [8, 0], bytes: f32(2) }]), /end before they begin/));
  it('a hole between tensors', () =>
    refuse('gap.safetensors', rawFile([
      { name: 'a', dtype: 'F32', shape: [1], offsets: [0, 4], bytes: f32(1) },
      { name: 'b', dtype: 'F32', shape: [1], offsets: [8, 12], bytes: f32(2) },
    ]), /unaccounted bytes before tensor "b"/));
  it('trailing bytes after the last tensor', () => refuse('tail.safetensors', rawFile([{ name: 'w', dtype: 'F32', shape: [1], offsets: [0, 4], bytes: f32(2) }]), /tensors cover 4/));
  it('non-string metadata', () => refuse('meta.safetensors', rawFile([], { headerJson: '{"__metadata__": {"n": 3}}' }), /__metadata__.n is not a string/));
  it('a fixture with its tail cut off', () => {
    const whole = readFileSync(`${FIXTURES}/llama-gqa-untied/model.safetensors`);
    return refuse('truncated.safetensors', new Uint8Array(whole.subarray(0, whole.length - 100)), /run past the end of the data section .* truncated file/);
  });
});

describe('dtypes the engine cannot read', () => {
  it('are validated, kept apart, and not offered as tensors', async () => {
    const bytes = rawFile([
      { name: 'mask', dtype: 'BOOL', shape: [1, 1, 2, 2], bytes: new Uint8Array([1, 0, 1, 1]) },
      { name: 'w', dtype: 'F32', shape: [1], bytes: new Uint8Array(new Float32Array([3]).buffer) },
      { name: 'ids', dtype: 'I64', shape: [1], bytes: new Uint8Array(8) },
    ]);
    const { tensors, unsupported } = await readSafetensorsHeader(bytesSource(bytes, 'mem'));
    expect([...tensors.keys()]).toEqual(['w']);
    expect(unsupported.get('mask')).toEqual({ dtype: 'BOOL', shape: [1, 1, 2, 2] });
    expect(unsupported.get('ids')?.dtype).toBe('I64');
  });
});

describe('encodeSafetensors', () => {
  it('round-trips through the reader, header padded to 8 bytes', async () => {
    const a = new Float32Array([1, -2.5, 3e-40, Infinity, NaN, -0]);
    const b = new Float32Array([7]);
    const bytes = encodeSafetensors(
      [
        { name: 'a', shape: [2, 3], data: a },
        { name: 'scalar', shape: [], data: b },
        { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
      ],
      { format: 'pt', note: 'proto-tokens' },
    );
    const len = new DataView(bytes.buffer).getUint32(0, true);
    expect(len % 8).toBe(0);
    const src = bytesSource(bytes, 'solution.safetensors');
    const { tensors, metadata } = await readSafetensorsHeader(src);
    expect(metadata).toEqual({ format: 'pt', note: 'proto-tokens' });
    expect(tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [2, 3] });
    const back = await readTensor(src, tensors.get('a')!);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(a.buffer));
    expect(Array.from(await readTensorRows(src, tensors.get('a')!, 1, 1)).slice(0, 1)).toEqual([Infinity]);
    expect(Array.from(await readTensor(src, tensors.get('scalar')!))).toEqual([7]);
    expect((await readTensor(src, tensors.get('empty')!)).length).toBe(0);
  });

  it('refuses inconsistent input', () => {
    expect(() => encodeSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }])).toThrow(/shape \[3\] does not hold 2 values/);
    expect(() => encodeSafetensors([{ name: 'a', shape: [1], data: new Float32Array(1) }, { name: 'a', shape: [1], data: new Float32Array(1) }])).toThrow(/repeated/);
  });

  it('bytesSource refuses reads outside its bytes', async () => {
    await expect(bytesSource(new Uint8Array(4), 'mem').read(2, 3)).rejects.toThrow(/mem: read of 3 bytes at 2/);
  });
});
