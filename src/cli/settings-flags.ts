/** A settings table (settings/fields.ts) on the command line: its flags, and values read through its fields. */
import type { Field, FieldTable } from '../shared/fields.ts';
import { UsageError } from './errors.ts';

/** parseArgs options for every field of `table` that has a flag. */
export function flagOptions<S>(table: FieldTable<S>): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(
    Object.values<Field>(table)
      .filter((f) => f.flag)
      .map((f) => [f.flag!, { type: f.switch ? ('boolean' as const) : ('string' as const) }]),
  );
}

/** One field's flag: its value parsed and checked (`--seeds must be ..., got "0".` otherwise), undefined when not given. */
export function flagValue<T>(f: Field<string, T>, values: Record<string, string | boolean | undefined>): T | undefined {
  const raw = f.flag ? values[f.flag] : undefined;
  // A switch given without a value (parseArgs' boolean): on.
  if (f.switch && raw === true) return true as T;
  if (typeof raw !== 'string') return undefined;
  const v = f.parse(raw);
  const why = f.check(v);
  if (why) throw new UsageError(`--${f.flag} ${why}, got "${raw}".`);
  return v as T;
}

/** `base` with every flag given applied, each parsed and checked by its field: `--steps must be ..., got "0".` otherwise. */
export function settingsFromFlags<S>(table: FieldTable<S>, values: Record<string, string | boolean | undefined>, base: S): S {
  const out = { ...base } as Record<string, unknown>;
  for (const f of Object.values<Field>(table)) {
    const v = flagValue(f, values);
    if (v !== undefined) out[f.key] = v;
  }
  return out as S;
}
