import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bindFor, kernelSignature, packFor } from '../../src/gpu/kernel-signature.ts';
import type { Tensor } from '../../src/gpu/tensor.ts';
import { ATTENTION, KERNEL_SIGNATURES, NORM } from '../../src/ops/signatures.ts';
import { WEIGHT_FORMATS } from '../../src/model/weight-format.ts';

const SHADER_DIR = fileURLToPath(new URL('../../shaders/', import.meta.url));
const WEIGHT_READERS = readdirSync(join(SHADER_DIR, 'weights'))
  .filter((f) => f.endsWith('.wgsl'))
  .map((f) => f.slice(0, -'.wgsl'.length))
  .sort();
const SHADERS = readdirSync(SHADER_DIR)
  .filter((f) => f.endsWith('.wgsl'))
  .map((f) => f.slice(0, -'.wgsl'.length))
  .sort();

/** WGSL block comments nest, which a regular expression cannot follow. */
function stripComments(src: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    if (src.startsWith('/*', i)) {
      if (depth++ === 0) out += ' '; // keeps the tokens either side apart
      i++;
    } else if (depth > 0) {
      if (src.startsWith('*/', i)) {
        depth--;
        i++;
      }
    } else if (src.startsWith('//', i)) {
      const nl = src.indexOf('\n', i);
      i = (nl < 0 ? src.length : nl) - 1;
    } else {
      out += src[i];
    }
  }
  return out;
}

/**
 * The raw file, before shaderSource substitutes its {{NAME}} placeholders: those stand for constants
 * and types inside the code, never in Params or a binding; a field that held one would not parse.
 */
function readShader(name: string): { params: [string, string][]; storage: string[]; uniforms: string[] } {
  let text = stripComments(readFileSync(join(SHADER_DIR, `${name}.wgsl`), 'utf8'));
  // A kernel that reads a weight gets a format's reader appended (Gpu.kernel's `append`): its
  // bindings are the union of what every reader declares.
  if (/\bw[14]\s*\(/.test(text)) text += [...WEIGHT_READERS.map((f) => `weights/${f}`), 'common/half'].map((f) => stripComments(readFileSync(join(SHADER_DIR, `${f}.wgsl`), 'utf8'))).join('\n');
  const structs = [...text.matchAll(/\bstruct\s+Params\s*\{([^}]*)\}/g)];
  if (structs.length !== 1) throw new Error(`${name}.wgsl: ${structs.length} Params structs`);
  const params = structs[0][1]
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '') // a trailing comma
    .map((f): [string, string] => {
      // Attributes (@align, @size) would break packFor's consecutive words, so they fail here too.
      const m = /^(\w+)\s*:\s*(\w+)$/.exec(f);
      if (!m) throw new Error(`${name}.wgsl: unreadable Params field "${f}"`);
      return [m[1], m[2]];
    });
  const storage: string[] = [];
  const uniforms: string[] = [];
  const decls = [...text.matchAll(/((?:@\w+\s*\([^)]*\)\s*)+)var\s*(?:<([^>]*)>)?\s*(\w+)\s*:\s*(\w+)/g)];
  for (const [, attrs, space = '', varName, type] of decls) {
    const group = /@group\(\s*(\d+)\s*\)/.exec(attrs)?.[1];
    const binding = /@binding\(\s*(\d+)\s*\)/.exec(attrs)?.[1];
    if (binding === undefined) continue;
    if (group !== '0') throw new Error(`${name}.wgsl: ${varName} is in @group(${group}); Program binds group 0 only`);
    const kind = space.split(',')[0].trim();
    if (kind === 'storage') storage.push(`${varName}@${binding}`);
    else if (kind === 'uniform') uniforms.push(`${varName}: ${type} @${binding}`);
    else throw new Error(`${name}.wgsl: ${varName} at @binding(${binding}) is neither storage nor uniform`);
  }
  // A declaration the pattern above misread would otherwise go unchecked.
  const bindings = text.match(/@binding\s*\(/g)?.length ?? 0;
  if (bindings !== storage.length + uniforms.length) throw new Error(`${name}.wgsl: read ${storage.length + uniforms.length} of ${bindings} bindings`);
  // Readers repeat each other's names (every one declares W).
  return { params, storage: [...new Set(storage)], uniforms };
}

describe('kernel signatures match shaders/*.wgsl', () => {
  it('every shader file has exactly one signature, and every signature a file', () => {
    const names = KERNEL_SIGNATURES.map((s) => s.shader);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(SHADERS);
  });

  it.each(SHADERS)('%s: Params fields and storage bindings', (name) => {
    const sig = KERNEL_SIGNATURES.find((s) => s.shader === name);
    if (!sig) throw new Error(`no signature for shaders/${name}.wgsl`);
    const wgsl = readShader(name);
    expect(Object.entries(sig.params)).toEqual(wgsl.params);
    expect(Object.entries(sig.bindings).map(([k, n]) => `${k}@${n}`).sort()).toEqual(wgsl.storage.sort());
    expect(wgsl.uniforms).toEqual(['p: Params @0']);
  });

  it('one weight reader per weight format, each defining w1 and w4 over W at @binding(2) (and its scales at @binding(6))', () => {
    expect(WEIGHT_READERS).toEqual([...WEIGHT_FORMATS].sort());
    for (const f of WEIGHT_READERS) {
      const text = stripComments(readFileSync(join(SHADER_DIR, 'weights', `${f}.wgsl`), 'utf8'));
      expect(text, f).toMatch(/\bfn w1\(i: u32\) -> f32/);
      expect(text, f).toMatch(/\bfn w4\(i4: u32\) -> vec4<f32>/);
      const bindings = [...text.matchAll(/@binding\((\d+)\)\s*var<storage, read>\s*(\w+)/g)].map((m) => `${m[2]}@${m[1]}`).sort();
      expect(bindings, f).toEqual(f === 'f32' ? ['W4@2', 'W@2'] : f.startsWith('q') ? ['W@2', 'W_scales@6'] : ['W@2']);
    }
  });

  it('strips nested block comments and line comments', () => {
    expect(stripComments('a /* x /* y */ z */ b // c /* d\ne')).toBe('a   b \ne');
  });
});

const t = (label: string): Tensor => ({ buffer: { label } as GPUBuffer, shape: [1], dtype: 'f32', label });

describe('packFor', () => {
  const SIG = kernelSignature('test', { a: 'u32', b: 'f32', c: 'i32' }, {});
  const words = (buf: ArrayBuffer) => new DataView(buf);

  it('lays fields out in the signature order, whatever the order of the keys given', () => {
    const v = words(packFor(SIG, { c: -2, b: 1.5, a: 3 }));
    expect(v.byteLength).toBe(16);
    expect([v.getUint32(0, true), v.getFloat32(4, true), v.getInt32(8, true), v.getUint32(12, true)]).toEqual([3, 1.5, -2, 0]);
  });

  it('encodes f32 rounded to single precision and i32 as two’s complement', () => {
    const v = words(packFor(SIG, { a: 0xffffffff, b: 0.1, c: -1 }));
    expect(v.getUint32(0, true)).toBe(0xffffffff);
    expect(v.getFloat32(4, true)).toBe(Math.fround(0.1));
    expect(v.getUint32(8, true)).toBe(0xffffffff);
    // NaN and infinities are packed, as packParams always allowed.
    expect(Number.isNaN(words(packFor(SIG, { a: 0, b: NaN, c: 0 })).getFloat32(4, true))).toBe(true);
    expect(words(packFor(SIG, { a: 0, b: -Infinity, c: 0 })).getFloat32(4, true)).toBe(-Infinity);
  });

  it('pads to a multiple of 16 bytes, at least 16', () => {
    expect(packFor(kernelSignature('none', {}, {}), {}).byteLength).toBe(16);
    expect(packFor(kernelSignature('four', { a: 'u32', b: 'u32', c: 'u32', d: 'u32' }, {}), { a: 1, b: 2, c: 3, d: 4 }).byteLength).toBe(16);
    const five = new Uint32Array(packFor(kernelSignature('five', { a: 'u32', b: 'u32', c: 'u32', d: 'u32', e: 'u32' }, {}), { a: 1, b: 2, c: 3, d: 4, e: 5 }));
    expect(Array.from(five)).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
  });

  it('packs a real kernel’s params: attention’s scale is its tenth word, its window the eleventh', () => {
    const v = words(packFor(ATTENTION, { B: 2, N: 3, H: 4, Hkv: 2, ldq: 24, q_off: 0, k_off: 16, v_off: 20, group: 2, scale: 0.25, window: 5 }));
    expect(v.byteLength).toBe(48);
    expect(Array.from({ length: 9 }, (_, i) => v.getUint32(4 * i, true))).toEqual([2, 3, 4, 2, 24, 0, 16, 20, 2]);
    expect(v.getFloat32(36, true)).toBe(0.25);
    expect(v.getUint32(40, true)).toBe(5);
  });

  it('refuses a missing field, an unknown field and a value outside its type', () => {
    // @ts-expect-error c is missing
    expect(() => packFor(SIG, { a: 1, b: 0 })).toThrow(/test: param c is missing/);
    // @ts-expect-error d is not a field
    expect(() => packFor(SIG, { a: 1, b: 0, c: 0, d: 4 })).toThrow(/test: Params has no field d/);
    expect(() => packFor(SIG, { a: -1, b: 0, c: 0 })).toThrow(/param a=-1 is not a u32/);
    expect(() => packFor(SIG, { a: 1.5, b: 0, c: 0 })).toThrow(/param a=1.5 is not a u32/);
    expect(() => packFor(SIG, { a: 2 ** 32, b: 0, c: 0 })).toThrow(/is not a u32/);
    expect(() => packFor(SIG, { a: 0, b: 0, c: 2 ** 31 })).toThrow(/param c=2147483648 is not an i32/);
    expect(() => packFor(SIG, { a: 0, b: 0, c: -0.5 })).toThrow(/is not an i32/);
  });
});

describe('bindFor', () => {
  it('maps WGSL names to their binding numbers', () => {
    const [qkv, lse, dqkv] = [t('qkv'), t('lse'), t('dqkv')];
    expect(bindFor(ATTENTION, { qkv, lse, dqkv })).toEqual({ 1: qkv, 3: lse, 6: dqkv });
  });

  it('binds either of two names that share a number in different entry points, never both', () => {
    const [y, rstd] = [t('y'), t('rstd')];
    expect(bindFor(NORM, { y })).toEqual({ 3: y });
    expect(bindFor(NORM, { rstd_in: rstd })).toEqual({ 3: rstd });
    expect(() => bindFor(NORM, { y, rstd_in: rstd })).toThrow(/norm: y and rstd_in are both @binding\(3\)/);
  });

  it('refuses a name the shader does not declare and a name given no buffer', () => {
    // @ts-expect-error not a binding of attention.wgsl
    expect(() => bindFor(ATTENTION, { q: t('q') })).toThrow(/attention: no storage buffer named q/);
    expect(() => bindFor(ATTENTION, { qkv: undefined })).toThrow(/attention: buffer qkv is named but not given/);
  });
});

describe('kernelSignature', () => {
  it('refuses binding 0 (the params uniform) and a non-scalar field', () => {
    expect(() => kernelSignature('k', {}, { x: 0 })).toThrow(/buffer x at binding 0/);
    // @ts-expect-error vec2 is not a Params scalar
    expect(() => kernelSignature('k', { v: 'vec2<f32>' }, {})).toThrow(/param v has type vec2<f32>/);
  });
});
