/**
 * How a frozen weight matrix is held on the GPU, and its CPU encoder and decoder. The WGSL readers
 * are shaders/weights/<format>.wgsl; this file and those agree on every bit below, and
 * test/model/weight-format.test.ts plus test/ops/weight-formats.test.ts hold them to it.
 *
 * A matrix [rows, cols] (Hugging Face [out, in]) is stored row by row with a row stride `ld`
 * (elements) of at least cols; the padding elements are zero. Elements are numbered i = r·ld + c.
 *
 *   f32   one f32 per element; ld = cols.
 *   f16   IEEE half of x · 2^F16_SHIFT (see below), two per u32 (element 2j in the low 16 bits of
 *         word j); ld = cols rounded up to even, so every row starts on a word.
 *   bf16  bfloat16 (the top 16 bits of an f32), packed like f16.
 *   q8    groups of GROUP = 32 consecutive elements along a row share one scale d (an f16):
 *         value = d·q with q an int8 in [-127, 127], four per u32 (element 4j + t in byte t of word
 *         j, two's complement). d = max|x| / 127 (the GGUF Q8_0 rule).
 *   q4    groups of 32 with an f16 scale d: value = d·(q − 8), q a 4-bit code in [0, 15], eight per
 *         u32 (element 8j + t in bits 4t..4t+3 of word j). d = x* / −8 with x* the group's value of
 *         largest magnitude, so it lands exactly on code 0 (the GGUF Q4_0 rule). Q4_0 rather than a
 *         scale-and-minimum variant because only one f16 per group fits the 0.57 byte/weight budget:
 *         4 bits + 16/32 = 4.5 bits (0.5625 bytes); a minimum as well would be 5 bits (0.625).
 *   For q8 and q4, ld = cols rounded up to a multiple of 64: groups never straddle rows, and each
 *   row's scales fill whole u32 words (two f16 per word, group g in the low half of word g / 2 when
 *   g is even), so rows can be encoded and uploaded independently.
 *
 * Scales are rounded to f16 before the codes are chosen, so decoding reproduces exactly what the
 * encoder aimed at. Accumulation is always f32; only storage changes.
 *
 * No subnormal is ever stored. WebGPU adapters may flush subnormal floats to zero (SwiftShader
 * does), and the readers widen halves through f32 subnormals (shaders/common/half.wgsl), so a
 * stored subnormal would read differently on different adapters. So:
 *   - f16 weights are stored as half(x · 2^8) and read back times 2^-8: every normal half of an F16
 *     checkpoint, and its subnormals from 4 · 2^-24 up, become normal halves, exactly. What is lost
 *     is |x| < 1.8e-7 (stored as ±0) and |x| > 255.9, which is refused with a pointer to bf16.
 *   - bf16 weights below 2^-126 are stored as ±0.
 *   - q8 / q4 scales are at least 2^-14 in magnitude (a group of weights that small is coded in
 *     steps of 2^-14).
 */

import { type WeightFormat } from '../shared/weight-formats.ts';
export * from '../shared/weight-formats.ts';

/** Elements sharing one scale in q8 and q4. */
export const GROUP = 32;

export function isQuantized(f: WeightFormat): boolean {
  return f === 'q8' || f === 'q4';
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** Row stride in elements (see the layout above). */
export function rowStride(f: WeightFormat, cols: number): number {
  if (f === 'f32') return cols;
  if (f === 'f16' || f === 'bf16') return roundUp(cols, 2);
  return roundUp(cols, 2 * GROUP);
}

/** u32 words of data per row. */
export function dataWordsPerRow(f: WeightFormat, cols: number): number {
  const ld = rowStride(f, cols);
  switch (f) {
    case 'f32':
      return ld;
    case 'f16':
    case 'bf16':
      return ld / 2;
    case 'q8':
      return ld / 4;
    case 'q4':
      return ld / 8;
  }
}

/** u32 words of scales per row (0 unless quantized). */
export function scaleWordsPerRow(f: WeightFormat, cols: number): number {
  return isQuantized(f) ? rowStride(f, cols) / GROUP / 2 : 0;
}

/** Bytes one row takes on the GPU, scales included. */
export function bytesPerRow(f: WeightFormat, cols: number): number {
  return 4 * (dataWordsPerRow(f, cols) + scaleWordsPerRow(f, cols));
}

// ---- scalar conversions ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → bfloat16 bits, rounded to nearest even (NaN stays a quiet NaN). */
export function toBf16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function fromBf16Bits(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** f32 → IEEE half bits, rounded to nearest even; overflow becomes ±Inf, tiny values subnormals or 0. */
export function toF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h; // a carry into the exponent is the correct rounding (up to Inf)
}

let halfValues: Float32Array | null = null;

/** The value of IEEE half bits h (a table of all 65536, built once: decoding big matrices calls this per weight). */
export function fromF16Bits(h: number): number {
  if (!halfValues) {
    halfValues = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) {
      const sign = b & 0x8000 ? -1 : 1;
      const exp = (b >>> 10) & 0x1f;
      const mant = b & 0x3ff;
      halfValues[b] = exp === 0 ? sign * mant * 2 ** -24 : exp === 0x1f ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
    }
  }
  return halfValues[h & 0xffff];
}

/** The f16 value nearest x (what a scale becomes once stored). */
export function roundF16(x: number): number {
  return fromF16Bits(toF16Bits(x));
}

// ---- rows ----

export interface EncodedRows {
  /** dataWordsPerRow · rows words. */
  data: Uint32Array;
  /** scaleWordsPerRow · rows words (empty unless quantized). */
  scales: Uint32Array;
}

/** A weight (or q8/q4 scale) outside what an f16 holds: the readers decode finite halves only. */
export class WeightRangeError extends Error {
  override name = 'WeightRangeError';
}

/** Smallest normal f16: scales are kept at least this large (see "No subnormal" above). */
const MIN_NORMAL_HALF = 2 ** -14;

/** f16 weights are stored as half(x · 2^F16_SHIFT) (see "No subnormal" above; shaders/common/half.wgsl undoes it). */
export const F16_SHIFT = 8;
const F16_SCALE = 2 ** F16_SHIFT;

/** toF16Bits(x) as stored: a subnormal becomes ±0; -1 where x would become an infinity. */
function halfStored(x: number): number {
  const h = toF16Bits(x);
  if ((h & 0x7c00) === 0x7c00) return -1;
  return (h & 0x7c00) === 0 ? h & 0x8000 : h;
}

function f16WeightBits(x: number): number {
  const h = halfStored(x * F16_SCALE);
  if (h < 0) throw new WeightRangeError(`A weight of ${x} is beyond what f16 weights hold here (±255.9): load this model as bf16 or f32 instead.`);
  return h;
}

function fromF16Weight(h: number): number {
  return fromF16Bits(h) / F16_SCALE;
}

function scaleBits(d: number): number {
  const h = halfStored(d);
  if (h < 0) throw new WeightRangeError(`A weight group's scale of ${d} does not fit in f16: load this model as bf16 or f32 instead.`);
  return h;
}

/** toBf16Bits as stored: a subnormal (|x| below 2^-126) becomes ±0. */
function bf16Stored(x: number): number {
  const h = toBf16Bits(x);
  return (h & 0x7f80) === 0 ? h & 0x8000 : h;
}

/** Scale and codes of one group of q8 / q4 (values beyond `n` are the zero padding). */
function groupScale(f: 'q8' | 'q4', x: Float32Array, at: number, n: number): number {
  let amax = 0;
  let signed = 0;
  for (let t = 0; t < n; t++) {
    const v = x[at + t];
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      signed = v;
    }
  }
  const d = f === 'q8' ? amax / 127 : signed / -8;
  if (d === 0) return 0;
  return roundF16(Math.sign(d) * Math.max(Math.abs(d), MIN_NORMAL_HALF));
}

/** Encodes `rows` rows of `cols` values (dense, row-major) in format f. */
export function encodeRows(f: WeightFormat, values: Float32Array, rows: number, cols: number): EncodedRows {
  if (values.length !== rows * cols) throw new Error(`encodeRows: ${values.length} values is not ${rows} x ${cols}`);
  const dw = dataWordsPerRow(f, cols);
  const sw = scaleWordsPerRow(f, cols);
  const data = new Uint32Array(rows * dw);
  const scales = new Uint32Array(rows * sw);
  if (f === 'f32') {
    data.set(new Uint32Array(values.buffer, values.byteOffset, values.length));
    return { data, scales };
  }
  if (f === 'f16' || f === 'bf16') {
    const halves = new Uint16Array(data.buffer);
    const ld = rowStride(f, cols);
    // One loop per format: a shared loop calling either converter ran 8x slower in V8.
    if (f === 'f16') for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) halves[r * ld + c] = f16WeightBits(values[r * cols + c]);
    else for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) halves[r * ld + c] = bf16Stored(values[r * cols + c]);
    return { data, scales };
  }
  const ld = rowStride(f, cols);
  const scaleHalves = new Uint16Array(scales.buffer);
  const bytes = new Uint8Array(data.buffer);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < ld / GROUP; g++) {
      const c0 = g * GROUP;
      const n = Math.max(0, Math.min(GROUP, cols - c0));
      const at = r * cols + c0;
      const d = groupScale(f, values, at, n);
      scaleHalves[(r * ld) / GROUP + g] = scaleBits(d);
      const inv = d === 0 ? 0 : 1 / d;
      for (let t = 0; t < GROUP; t++) {
        const v = t < n ? values[at + t] : 0;
        const i = r * ld + c0 + t;
        if (f === 'q8') {
          const q = Math.max(-127, Math.min(127, Math.round(v * inv)));
          bytes[i] = q & 0xff;
        } else {
          const q = Math.max(0, Math.min(15, Math.round(v * inv) + 8));
          bytes[i >> 1] |= q << ((i & 1) * 4);
        }
      }
    }
  }
  return { data, scales };
}

/** The values `encodeRows` stored, as dense [rows, cols] (what every kernel computes with). */
export function decodeRows(f: WeightFormat, enc: EncodedRows, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const ld = rowStride(f, cols);
  const { data } = enc;
  if (f === 'f32') {
    out.set(new Float32Array(data.buffer, data.byteOffset, rows * cols));
    return out;
  }
  if (f === 'f16' || f === 'bf16') {
    const halves = new Uint16Array(data.buffer, data.byteOffset, data.length * 2);
    const conv = f === 'f16' ? fromF16Weight : fromBf16Bits;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = conv(halves[r * ld + c]);
    return out;
  }
  const scaleHalves = new Uint16Array(enc.scales.buffer, enc.scales.byteOffset, enc.scales.length * 2);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length * 4);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * ld + c;
      const d = fromF16Bits(scaleHalves[i >> 5]);
      const q = f === 'q8' ? (bytes[i] << 24) >> 24 : ((bytes[i >> 1] >> ((i & 1) * 4)) & 15) - 8;
      out[r * cols + c] = Math.fround(d * q);
    }
  }
  return out;
}

/** x as format f stores it: the weights a float64 reference must use to check f's kernels. */
export function roundTrip(f: WeightFormat, values: Float32Array, rows: number, cols: number): Float32Array {
  return f === 'f32' ? values : decodeRows(f, encodeRows(f, values, rows, cols), rows, cols);
}
