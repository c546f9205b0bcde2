/**
 * Reading a Hugging Face config.json field by field: each reader applies the transformers default
 * when the field is absent and refuses a value of the wrong kind with one line naming the field.
 */
import type { Llama3RopeScaling, RopeScaling } from './config.ts';

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function refuse(field: string, msg: string): never {
  throw new ModelConfigError(`config.json: ${field} ${msg}`);
}

export function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

export function present(cfg: Json, key: string): boolean {
  return cfg[key] !== undefined && cfg[key] !== null;
}

export function posInt(cfg: Json, key: string, fallback?: number): number {
  if (!present(cfg, key)) {
    if (fallback !== undefined) return fallback;
    refuse(key, 'is missing; it is required to size the model (is this a complete Hugging Face config.json?)');
  }
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) refuse(key, `must be a positive integer, got ${show(v)}`);
  return v;
}

export function posNum(cfg: Json, key: string, fallback: number, label = key): number {
  if (!present(cfg, key)) return fallback;
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) refuse(label, `must be a positive number, got ${show(v)}`);
  return v;
}

export function bool(cfg: Json, key: string, fallback: boolean): boolean {
  if (!present(cfg, key)) return fallback;
  const v = cfg[key];
  if (typeof v !== 'boolean') refuse(key, `must be true or false, got ${show(v)}`);
  return v;
}

/** Llama 3 configs list several EOS ids; generation stops on the first, which is the end-of-text token. */
export function tokenId(cfg: Json, key: string, fallback: number | null): number | null {
  if (!(key in cfg)) return fallback;
  let v = cfg[key];
  if (v === null) return null;
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    v = v[0];
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) refuse(key, `must be a non-negative integer, a list of them, or null; got ${show(cfg[key])}`);
  return v;
}

/**
 * The same quantity can come from an older and a newer spelling (rotary_pct / partial_rotary_factor /
 * rope_parameters). Precedence follows transformers; two spellings that disagree are refused rather than guessed.
 */
export function oneOf(sources: { label: string; cfg: Json; key: string }[], fallback: number): { value: number; label: string } {
  let found: { value: number; label: string } | null = null;
  for (const s of sources) {
    if (!present(s.cfg, s.key)) continue;
    const value = posNum(s.cfg, s.key, 0, s.label);
    if (found && found.value !== value) refuse(found.label, `(${found.value}) and ${s.label} (${value}) disagree; remove one of them`);
    found ??= { value, label: s.label };
  }
  return found ?? { value: fallback, label: sources[0].label };
}

export function parseRopeScaling(raw: unknown, field: string): null | RopeScaling {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw)) refuse(field, `must be an object or null, got ${show(raw)}`);
  const type = raw.rope_type ?? raw.type;
  if (type === undefined || type === 'default') return null;
  const num = (key: string): number => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) refuse(`${field}.${key}`, `must be a positive number for ${String(type)} scaling, got ${show(v)}`);
    return v;
  };
  // Linear scaling (position interpolation): every frequency divided by the factor. Gemma 3's
  // larger checkpoints use it on their full-attention layers.
  if (type === 'linear') return { type: 'linear', factor: num('factor') };
  if (type !== 'llama3') {
    refuse(field, `type ${show(type)} is not supported; the engine implements plain RoPE, 'linear' and 'llama3' scaling only`);
  }
  const scaling: Llama3RopeScaling = {
    type: 'llama3',
    factor: num('factor'),
    lowFreqFactor: num('low_freq_factor'),
    highFreqFactor: num('high_freq_factor'),
    originalMaxPositions: num('original_max_position_embeddings'),
  };
  if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
    refuse(`${field}.high_freq_factor`, `(${scaling.highFreqFactor}) must exceed low_freq_factor (${scaling.lowFreqFactor})`);
  }
  return scaling;
}
