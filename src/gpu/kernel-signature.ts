import type { Tensor } from './tensor.ts';

/**
 * A kernel's interface, written once: the fields of its shader's `struct Params` and the storage
 * buffers it binds. Op wrappers pack and bind through it, by the names the WGSL uses, instead of by
 * key order and binding number; test/gpu/kernel-signatures.test.ts checks every signature against
 * its shader file, so the two cannot drift apart.
 *
 * Uniform layout: every Params struct in shaders/ is made only of 4-byte scalars, so the WGSL layout
 * is consecutive words in field order; the buffer is padded to a multiple of 16 bytes (at least 16)
 * as uniforms require. The binding convention (params at @binding(0), storage buffers from 1) is
 * Program's; see program.ts.
 */
export type WgslScalar = 'u32' | 'i32' | 'f32';

/** Field name -> type, in the struct's field order. */
export type ParamTypes = Readonly<Record<string, WgslScalar>>;
/** Storage buffer name (as the WGSL declares it) -> binding number. */
export type BindingNumbers = Readonly<Record<string, number>>;

export interface KernelSignature<P extends ParamTypes = ParamTypes, B extends BindingNumbers = BindingNumbers> {
  /** File name under shaders/, without .wgsl. */
  readonly shader: string;
  readonly params: P;
  readonly bindings: B;
}

export type ParamsOf<S extends KernelSignature> = { readonly [K in keyof S['params']]: number };
/** Several entry points may bind different names at one number; a dispatch names those its entry point uses. */
export type BuffersOf<S extends KernelSignature> = { readonly [K in keyof S['bindings']]?: Tensor | GPUBuffer };
/** Storage buffers by binding number, as Program.dispatch takes them. */
export type BoundBuffers = Record<number, Tensor | GPUBuffer>;

const SCALARS: readonly string[] = ['u32', 'i32', 'f32'] satisfies WgslScalar[];

export function kernelSignature<const P extends ParamTypes, const B extends BindingNumbers>(shader: string, params: P, bindings: B): KernelSignature<P, B> {
  for (const [k, t] of Object.entries(params)) {
    if (!SCALARS.includes(t)) throw new Error(`${shader}: param ${k} has type ${t}; Params holds only u32, i32 and f32`);
  }
  for (const [k, n] of Object.entries(bindings)) {
    // 0 is the params uniform.
    if (!Number.isInteger(n) || n < 1) throw new Error(`${shader}: buffer ${k} at binding ${n}; storage buffers bind at 1, 2, ...`);
  }
  return Object.freeze({ shader, params: Object.freeze({ ...params }), bindings: Object.freeze({ ...bindings }) });
}

/** Packs exactly the signature's fields, in its order, each as its declared type. */
export function packFor<S extends KernelSignature>(sig: S, values: ParamsOf<S>): ArrayBuffer {
  const types: ParamTypes = sig.params;
  const given: Readonly<Record<string, unknown>> = values;
  const names = Object.keys(types);
  for (const k of Object.keys(given)) if (!(k in types)) throw new Error(`${sig.shader}: Params has no field ${k}`);
  const buf = new ArrayBuffer(Math.max(4, Math.ceil(names.length / 4) * 4) * 4);
  const view = new DataView(buf);
  names.forEach((k, i) => {
    const v = given[k];
    const bad = (what: string) => new Error(`${sig.shader}: param ${k}=${String(v)} is not ${what}`);
    if (typeof v !== 'number') throw new Error(`${sig.shader}: param ${k} is missing`);
    switch (types[k]) {
      case 'u32':
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad('a u32');
        view.setUint32(i * 4, v, true);
        break;
      case 'i32':
        if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw bad('an i32');
        view.setInt32(i * 4, v, true);
        break;
      case 'f32':
        // Rounded to the nearest f32; NaN and infinities pass through as they always have.
        view.setFloat32(i * 4, v, true);
        break;
    }
  });
  return buf;
}

/** Storage buffers by WGSL name -> by binding number, for Program.dispatch. */
export function bindFor<S extends KernelSignature>(sig: S, buffers: BuffersOf<S>): BoundBuffers {
  const numbers: BindingNumbers = sig.bindings;
  const out: BoundBuffers = {};
  const given: Readonly<Record<string, Tensor | GPUBuffer | undefined>> = buffers;
  const owner = new Map<number, string>();
  for (const [name, b] of Object.entries(given)) {
    if (!Object.hasOwn(numbers, name)) throw new Error(`${sig.shader}: no storage buffer named ${name}`);
    if (b === undefined) throw new Error(`${sig.shader}: buffer ${name} is named but not given`);
    const n = numbers[name];
    // Names sharing a number belong to different entry points: no dispatch binds both.
    const other = owner.get(n);
    if (other !== undefined) throw new Error(`${sig.shader}: ${other} and ${name} are both @binding(${n}); an entry point uses one of them`);
    owner.set(n, name);
    out[n] = b;
  }
  return out;
}
