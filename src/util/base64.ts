/**
 * Float32 vectors as base64 text (little-endian IEEE-754 bytes, as safetensors' F32 stores them),
 * so a JSON record can carry a vector bit for bit: a progressive sweep stores each rung's best e
 * and m this way, and a resumed sweep warm-starts from exactly what an uninterrupted one had.
 * Pure; btoa/atob exist in browsers, workers and Node.
 */

const CHUNK = 0x8000;

export function float32ToBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i], true);
  let s = '';
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

/** The vector back, or null when `text` is not base64 of whole float32 values. */
export function base64ToFloat32(text: unknown): Float32Array | null {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/u.test(text)) return null;
  let s: string;
  try {
    s = atob(text);
  } catch {
    return null;
  }
  if (s.length % 4 !== 0) return null;
  const view = new DataView(new ArrayBuffer(s.length));
  for (let i = 0; i < s.length; i++) view.setUint8(i, s.charCodeAt(i));
  const out = new Float32Array(s.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
