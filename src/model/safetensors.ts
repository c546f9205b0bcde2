/**
 * safetensors reading and writing. Layout: 8-byte little-endian header length N, N bytes of JSON
 * {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}, then the data section
 * that data_offsets index into. Reads go through a ByteSource so a 50k-row matrix can be streamed in row
 * slices from disk, a File or HTTP ranges without the whole file in memory.
 */
import { DTYPE_BYTES, assertLittleEndian, decodeFloats, isFloatDtype, type FloatDtype } from './dtype.ts';

export interface TensorInfo {
  name: string;
  dtype: FloatDtype;
  shape: number[];
  /** Absolute byte offsets in the file. */
  begin: number;
  end: number;
}

export interface ByteSource {
  size: number;
  /** Exactly `length` bytes starting at `offset`, or a rejection. */
  read(offset: number, length: number): Promise<Uint8Array>;
  describe: string;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface SafetensorsHeader {
  /** Tensors the engine can read (F32, F16, BF16). */
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Valid tensors of other dtypes (e.g. Pythia's BOOL attention-mask buffers): kept so a lookup can say why. */
  unsupported: Map<string, { dtype: string; shape: number[] }>;
}

// The reference implementation's limit; a larger value means a corrupt length, not a real header.
const MAX_HEADER_BYTES = 100_000_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function elementCount(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export async function readSafetensorsHeader(src: ByteSource): Promise<SafetensorsHeader> {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${src.describe}: ${msg}`);
  };
  if (src.size < 8) fail(`only ${src.size} bytes, too short for a safetensors file (8-byte header length missing)`);
  const lenBytes = await src.read(0, 8);
  const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > src.size - 8) {
    fail(`header length ${headerLen} runs past the end of the file (${src.size} bytes): truncated or not a safetensors file`);
  }
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds ${MAX_HEADER_BYTES} bytes: corrupt file`);
  const headerBytes = await src.read(8, headerLen);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message}): corrupt file`);
  }
  if (!isRecord(json)) fail('header JSON is not an object');
  const header = json as Record<string, unknown>;

  const dataStart = 8 + headerLen;
  const dataSize = src.size - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  const unsupported = new Map<string, { dtype: string; shape: number[] }>();
  const spans: { name: string; b: number; e: number }[] = [];

  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isRecord(entry)) fail('__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (!isRecord(entry)) fail(`${where}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`${where}: dtype missing`);
    const width = DTYPE_BYTES[dtype as string];
    if (width === undefined) fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`${where}: shape must be an array of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      fail(`${where}: data_offsets must be [begin, end] non-negative integers`);
    }
    const [b, e] = offsets as number[];
    const dims = shape as number[];
    if (b > e) fail(`${where}: data_offsets [${b}, ${e}] end before they begin`);
    if (e > dataSize) {
      fail(`${where}: data_offsets [${b}, ${e}] run past the end of the data section (${dataSize} bytes): truncated file`);
    }
    const need = elementCount(dims) * width;
    if (need !== e - b) {
      fail(`${where}: shape [${dims.join(', ')}] of ${dtype} needs ${need} bytes but data_offsets span ${e - b}`);
    }
    spans.push({ name, b, e });
    if (isFloatDtype(dtype as string)) {
      tensors.set(name, { name, dtype: dtype as FloatDtype, shape: dims, begin: dataStart + b, end: dataStart + e });
    } else {
      unsupported.set(name, { dtype: dtype as string, shape: dims });
    }
  }

  // Like the reference reader: tensors tile the data section exactly, so overlaps, holes and a missing or
  // extra tail are all signs of a damaged file rather than something to tolerate.
  spans.sort((x, y) => x.b - y.b || x.e - y.e);
  let cursor = 0;
  let prev = '';
  for (const s of spans) {
    if (s.b < cursor) fail(`tensors ${JSON.stringify(prev)} and ${JSON.stringify(s.name)} overlap (byte ${s.b} < ${cursor})`);
    if (s.b > cursor) fail(`${s.b - cursor} unaccounted bytes before tensor ${JSON.stringify(s.name)} at data offset ${cursor}`);
    cursor = s.e;
    prev = s.name;
  }
  if (cursor !== dataSize) fail(`data section is ${dataSize} bytes but the tensors cover ${cursor}: corrupt file`);
  return { tensors, metadata, unsupported };
}

/** Rows are along the first dimension; a 1-D tensor's rows are its elements, a scalar is one row. */
export function tensorRows(info: Pick<TensorInfo, 'shape'>): { rows: number; rowElements: number } {
  const { shape } = info;
  return {
    rows: shape.length === 0 ? 1 : shape[0],
    rowElements: shape.length <= 1 ? 1 : elementCount(shape.slice(1)),
  };
}

/**
 * Rows [rowStart, rowStart + rowCount) as f32. Lets the engine upload a big matrix in slices without ever
 * holding two full copies.
 */
export async function readTensorRows(src: ByteSource, info: TensorInfo, rowStart: number, rowCount: number): Promise<Float32Array> {
  const { rows, rowElements } = tensorRows(info);
  if (!isCount(rowStart) || !isCount(rowCount) || rowStart + rowCount > rows) {
    throw new SafetensorsError(
      `${src.describe}: rows [${rowStart}, ${rowStart + rowCount}) requested from tensor ${JSON.stringify(info.name)} which has ${rows}`,
    );
  }
  const width = DTYPE_BYTES[info.dtype];
  const offset = info.begin + rowStart * rowElements * width;
  const length = rowCount * rowElements * width;
  if (offset + length > info.end) throw new SafetensorsError(`${src.describe}: tensor ${JSON.stringify(info.name)} extent is inconsistent with its shape`);
  const bytes = await src.read(offset, length);
  if (bytes.length !== length) {
    throw new SafetensorsError(`${src.describe}: short read of tensor ${JSON.stringify(info.name)} (${bytes.length} of ${length} bytes)`);
  }
  return decodeFloats(bytes, info.dtype);
}

export function readTensor(src: ByteSource, info: TensorInfo): Promise<Float32Array> {
  return readTensorRows(src, info, 0, tensorRows(info).rows);
}

/** F32 writer; header padded with spaces to a multiple of 8 like the reference writer so data stays aligned. */
export function encodeSafetensors(
  tensors: { name: string; shape: number[]; data: Float32Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new SafetensorsError(`cannot write tensor name ${JSON.stringify(t.name)} (reserved or repeated)`);
    if (!t.shape.every(isCount) || elementCount(t.shape) !== t.data.length) {
      throw new SafetensorsError(`tensor ${JSON.stringify(t.name)}: shape [${t.shape.join(', ')}] does not hold ${t.data.length} values`);
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length % 2 ** 32, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  assertLittleEndian();
  let at = 8 + json.length;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

export function bytesSource(bytes: Uint8Array, describe: string): ByteSource {
  return {
    size: bytes.length,
    describe,
    async read(offset, length) {
      if (!isCount(offset) || !isCount(length) || offset + length > bytes.length) {
        throw new SafetensorsError(`${describe}: read of ${length} bytes at ${offset} is outside its ${bytes.length} bytes`);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}
