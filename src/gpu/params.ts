/**
 * Packs a kernel's uniform parameters. Every params struct in shaders/ is made only of 4-byte
 * scalars (u32, i32, f32) declared in the same order as the object keys given here, so the WGSL
 * layout is simply consecutive words; the buffer is padded to 16 bytes as uniforms require.
 */
export type ParamValue = number | { f32: number } | { i32: number };

export function packParams(fields: Record<string, ParamValue>): ArrayBuffer {
  const keys = Object.keys(fields);
  const words = Math.max(4, Math.ceil(keys.length / 4) * 4);
  const buf = new ArrayBuffer(words * 4);
  const view = new DataView(buf);
  keys.forEach((k, i) => {
    const v = fields[k];
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`param ${k}=${v} is not a u32; wrap floats as {f32: x}`);
      view.setUint32(i * 4, v, true);
    } else if ('f32' in v) {
      view.setFloat32(i * 4, v.f32, true);
    } else {
      view.setInt32(i * 4, v.i32, true);
    }
  });
  return buf;
}

export const f32 = (x: number): { f32: number } => ({ f32: x });
export const i32 = (x: number): { i32: number } => ({ i32: x });
