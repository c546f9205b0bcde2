import { describe, expect, it } from 'vitest';
import { base64ToFloat32, float32ToBase64 } from '../../src/util/base64.ts';
import { Rng } from '../../src/util/rng.ts';

describe('float32 vectors as base64', () => {
  it('round-trips bit for bit, as little-endian F32 (the bytes safetensors stores)', () => {
    const rng = new Rng(7);
    const v = Float32Array.from([...rng.normalArray(20000, 3), 0, -0, 1e-45, -3.4e38, Infinity, 1 / 3]);
    const back = base64ToFloat32(float32ToBase64(v))!;
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(v.buffer));
    expect(float32ToBase64(Float32Array.of(1))).toBe(Buffer.from(new Uint8Array([0, 0, 0x80, 0x3f])).toString('base64'));
    expect(float32ToBase64(new Float32Array(0))).toBe('');
  });

  it('refuses what is not base64 of whole float32 values', () => {
    for (const bad of ['AAA', 'AAAA!AAA', 'AAAAAAA=', 'AA==', 12, null, undefined, {}]) expect(base64ToFloat32(bad), String(bad)).toBeNull();
  });
});
