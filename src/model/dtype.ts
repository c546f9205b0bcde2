/**
 * Element decoding for the safetensors dtypes the engine reads. Everything becomes f32 because the WGSL kernels
 * compute in f32; F16 and BF16 widen exactly (every half and bfloat16 value, NaN payloads included, is an f32).
 */

export type FloatDtype = 'F32' | 'F16' | 'BF16';

/** Bytes per element of every dtype the safetensors format defines, so a header can be validated in full. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8, C64: 8,
};

export function isFloatDtype(dtype: string): dtype is FloatDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

// Reinterpreting bytes as Float32Array assumes the host is little-endian like the file format; every browser
// and Node target is, and a big-endian host would silently produce garbage, so it is refused outright.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function assertLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error('safetensors data is little-endian and this host is not');
}

let halfTable: Uint32Array | null = null;

/** f32 bit patterns for all 65536 halves; 256 KiB once beats per-element branching on 50k-row matrices. */
function halfToFloatBits(): Uint32Array {
  if (halfTable) return halfTable;
  const table = new Uint32Array(65536);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      table[h] = sign | 0x7f800000 | (mant << 13);
    } else if (exp === 0) {
      // Subnormal halves (and zero) are mant * 2^-24, exactly representable as normal f32s.
      f[0] = mant * 2 ** -24;
      table[h] = sign | u[0];
    } else {
      table[h] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
  }
  halfTable = table;
  return table;
}

/** Decodes little-endian elements of `dtype` from `bytes` into a new Float32Array. */
export function decodeFloats(bytes: Uint8Array, dtype: FloatDtype): Float32Array {
  assertLittleEndian();
  const width = dtype === 'F32' ? 4 : 2;
  if (bytes.length % width !== 0) throw new Error(`${bytes.length} bytes is not a whole number of ${dtype} elements`);
  const n = bytes.length / width;
  const out = new Float32Array(n);
  if (dtype === 'F32') {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const bits = new Uint32Array(out.buffer);
  if (dtype === 'BF16') {
    for (let i = 0, j = 0; i < n; i++, j += 2) bits[i] = ((bytes[j + 1] << 24) | (bytes[j] << 16)) >>> 0;
  } else {
    const table = halfToFloatBits();
    for (let i = 0, j = 0; i < n; i++, j += 2) bits[i] = table[bytes[j] | (bytes[j + 1] << 8)];
  }
  return out;
}
