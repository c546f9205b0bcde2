import { describe, expect, it } from 'vitest';
import {
  bytesPerRow,
  decodeRows,
  encodeRows,
  fromBf16Bits,
  fromF16Bits,
  GROUP,
  roundF16,
  roundTrip,
  rowStride,
  toBf16Bits,
  toF16Bits,
  WEIGHT_FORMATS,
} from '../../src/model/weight-format.ts';
import { Rng } from '../../src/util/rng.ts';

describe('half and bfloat16 conversions', () => {
  it('f16: exact values, rounding to nearest even, overflow, subnormals, NaN', () => {
    expect(toF16Bits(1)).toBe(0x3c00);
    expect(toF16Bits(-2)).toBe(0xc000);
    expect(toF16Bits(65504)).toBe(0x7bff);
    expect(toF16Bits(65520)).toBe(0x7c00); // rounds up past the largest half: +Inf
    expect(toF16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie: to the even mantissa
    expect(toF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie: to the even mantissa (up)
    expect(toF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toF16Bits(2 ** -26)).toBe(0x0000); // below half of it: zero
    expect(toF16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(fromF16Bits(toF16Bits(NaN)))).toBe(true);
    // Every half round-trips through f32 exactly.
    for (let h = 0; h < 0x10000; h += 7) {
      const v = fromF16Bits(h);
      if (!Number.isNaN(v)) expect(toF16Bits(v)).toBe(h);
    }
  });

  it('bf16: the top half of an f32, rounded to nearest even', () => {
    expect(toBf16Bits(1)).toBe(0x3f80);
    expect(fromBf16Bits(0x3f80)).toBe(1);
    expect(toBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie, even stays
    expect(toBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie, rounds to even
    expect(toBf16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(Number.isNaN(fromBf16Bits(toBf16Bits(NaN)))).toBe(true);
    for (let h = 0; h < 0x10000; h += 13) {
      const v = fromBf16Bits(h);
      if (!Number.isNaN(v)) expect(toBf16Bits(v)).toBe(h);
    }
  });
});

describe('weight formats: layout, encoding and decoding', () => {
  const rng = new Rng(5);
  // Widths on and off every multiple the layouts care about (2, 32, 64), with a row of zeros.
  const shapes: [number, number][] = [
    [3, 64],
    [4, 172],
    [2, 48],
    [5, 7],
    [1, 1],
  ];

  it('row strides and bytes per weight', () => {
    expect(rowStride('f32', 7)).toBe(7);
    expect(rowStride('f16', 7)).toBe(8);
    expect(rowStride('bf16', 64)).toBe(64);
    expect(rowStride('q8', 172)).toBe(192);
    expect(rowStride('q4', 48)).toBe(64);
    // At a width that is a multiple of 64 (every real model's), the budgets of the issue.
    expect(bytesPerRow('f32', 4096) / 4096).toBe(4);
    expect(bytesPerRow('f16', 4096) / 4096).toBe(2);
    expect(bytesPerRow('bf16', 4096) / 4096).toBe(2);
    expect(bytesPerRow('q8', 4096) / 4096).toBe(1.0625);
    expect(bytesPerRow('q4', 4096) / 4096).toBe(0.5625);
  });

  for (const f of WEIGHT_FORMATS) {
    it(`${f}: decode(encode(x)) is within the format's error, and encoding what it decodes changes nothing`, () => {
      for (const [rows, cols] of shapes) {
        const x = rng.normalArray(rows * cols).map((v) => v * 0.05);
        if (rows > 2) x.fill(0, cols, 2 * cols); // a zero row: scale 0, codes 0
        const y = roundTrip(f, x, rows, cols);
        expect(y.length).toBe(x.length);
        for (let r = 0; r < rows; r++) {
          for (let g = 0; g * GROUP < cols; g++) {
            let amax = 0;
            for (let c = g * GROUP; c < Math.min(cols, (g + 1) * GROUP); c++) amax = Math.max(amax, Math.abs(x[r * cols + c]));
            for (let c = g * GROUP; c < Math.min(cols, (g + 1) * GROUP); c++) {
              const i = r * cols + c;
              const err = Math.abs(y[i] - x[i]);
              // q8: half a scale step (the scale's f16 rounding adds a little). q4: a whole step, since
              // Q4_0 spends code 0 on the extreme's sign and the opposite end stops at 7 steps of 8.
              // f16 / bf16: a relative half-ulp.
              // Nothing subnormal is stored: tiny f16 weights become 0, scales are at least 2^-14.
              const d = Math.max(f === 'q8' ? amax / 127 : amax / 8, amax > 0 ? 2 ** -14 : 0);
              const bound =
                f === 'f32' ? 0 : f === 'f16' ? Math.max(Math.abs(x[i]) * 2 ** -11, Math.abs(x[i]) < 2 ** -22 ? 2 ** -22 : 0) : f === 'bf16' ? Math.abs(x[i]) * 2 ** -8 : f === 'q8' ? d * 0.51 : d * 1.01;
              expect(err, `${f} [${rows}x${cols}] element ${i}`).toBeLessThanOrEqual(bound + 1e-9);
            }
          }
        }
        // The stored values are a fixed point of the format: what the kernels read is what the reference uses.
        expect(Array.from(roundTrip(f, y, rows, cols))).toEqual(Array.from(y));
      }
    });
  }

  it('q8 codes are int8 in [-127, 127] at the byte of their element; q4 codes are nibbles in element order', () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => (i - 31) / 31);
    const q8 = encodeRows('q8', x, 1, 64);
    const bytes = new Int8Array(q8.data.buffer);
    expect(bytes[0]).toBe(-127);
    expect(bytes[31]).toBe(0);
    expect(bytes[63]).toBe(127);
    expect(fromF16Bits(new Uint16Array(q8.scales.buffer)[0])).toBe(roundF16(1 / 127));
    const q4 = encodeRows('q4', x, 1, 64);
    // The first group's largest magnitude is -1 (element 0): d = -1 / -8 = 0.125, code 0 = value -1.
    expect(q4.data[0] & 15).toBe(0);
    expect(fromF16Bits(new Uint16Array(q4.scales.buffer)[0])).toBe(0.125);
    expect(decodeRows('q4', q4, 1, 64)[0]).toBe(-1);
  });

  it('refuses a weight beyond what f16 weights hold (it would read as an infinity), naming what to use instead', () => {
    expect(() => encodeRows('f16', Float32Array.from([1, 300]), 1, 2)).toThrow(/A weight of 300 is beyond what f16 weights hold here \(±255\.9\): load this model as bf16 or f32 instead/);
    expect(() => encodeRows('bf16', Float32Array.from([1, 300]), 1, 2)).not.toThrow();
  });

  it('stores no subnormal: F16 checkpoint values from 4 · 2^-24 up stay exact, smaller f16 weights are ±0, scales of tiny groups are 2^-14', () => {
    const tiny = Float32Array.from([1e-7, -5e-8, 5 * 2 ** -24, -(2 ** -14), 1e-3, 0, 255.5]);
    expect(Array.from(roundTrip('f16', tiny, 1, 7)).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([0, '-0', 5 * 2 ** -24, -(2 ** -14), fromF16Bits(toF16Bits(1e-3)), 0, 255.5]);
    // Every finite half an F16 checkpoint can hold between 4 · 2^-24 and 255.9 is stored exactly.
    for (let h = 4; h < 0x5c00; h += 3) {
      const v = Float32Array.of(fromF16Bits(h), -fromF16Bits(h));
      expect(Array.from(roundTrip('f16', v, 1, 2))).toEqual(Array.from(v));
    }
    const group = Float32Array.from({ length: 32 }, (_, i) => (i - 16) * 1e-6);
    const q8 = encodeRows('q8', group, 1, 32);
    expect(fromF16Bits(new Uint16Array(q8.scales.buffer)[0])).toBe(2 ** -14);
    expect(fromF16Bits(new Uint16Array(encodeRows('q4', group, 1, 32).scales.buffer)[0])).toBe(2 ** -14);
  });

  it('refuses values that are not rows x cols', () => {
    expect(() => encodeRows('q8', new Float32Array(10), 3, 4)).toThrow(/10 values is not 3 x 4/);
  });
});
