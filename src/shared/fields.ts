/**
 * A settings field, declared once: its key in the settings object, its URL parameter, its
 * command-line flag, how text becomes a value, its bounds, its default and its help line.
 * TensorFlow Playground's State.PROPS, typed. The page's URL state, the command line, the engine's
 * validation and --help are all read off tables of these (settings/run.ts), so a bound is decided
 * in one place and every door says the same words about it.
 */
export interface Field<K extends string = string, T = unknown> {
  key: K;
  /** URL parameter (page settings), if the field is in the URL. */
  url?: string;
  /** Command-line flag without the dashes, if the command line takes it. */
  flag?: string;
  /** The field's name in messages ("steps", "learning rate"). */
  label: string;
  /** One line for --help and the page's hints. */
  help: string;
  /** The value's shape in --help ("S", "e|first-m"). */
  usage: string;
  /** What it accepts, in words: "a whole number from 1 to 100000". */
  accepts: string;
  /** A switch (switchField): its flag takes no value, given means on. */
  switch?: true;
  /** A whole-number field's bounds (a list's: each number's), for another field that shares them. */
  range?: { min: number; max: number };
  fallback: T;
  /** Text (URL, command line) to a value; checked afterwards, so anything may come out. */
  parse(raw: string): unknown;
  /** Why a value does not fit, as the end of a sentence ("must be ..."), or null. */
  check(v: unknown): string | null;
}

/** Number('') is 0, so a blank string is refused here rather than read as zero. */
function numberOf(raw: string): number {
  return raw.trim() === '' ? NaN : Number(raw);
}

interface Common<K extends string, T> {
  key: K;
  url?: string;
  flag?: string;
  label: string;
  help: string;
  fallback: T;
}

/** A whole number in [min, max]. */
export function wholeField<K extends string>(f: Common<K, number> & { min: number; max: number; usage?: string }): Field<K, number> {
  const accepts = `a whole number from ${f.min} to ${f.max}`;
  return {
    ...f,
    usage: f.usage ?? 'N',
    accepts,
    range: { min: f.min, max: f.max },
    // Digits only: Number() would also take '0x10', '1e3' and ' ' (as 0).
    parse: (raw) => (/^\s*\d+\s*$/u.test(raw) ? Number(raw) : NaN),
    check: (v) => (Number.isInteger(v) && (v as number) >= f.min && (v as number) <= f.max ? null : `must be ${accepts}`),
  };
}

/** A finite number above `above` (exclusive) or from `min` (inclusive), and up to `max` (or below `below`). */
export function numberField<K extends string>(
  f: Common<K, number> & ({ above: number } | { min: number }) & ({ max: number } | { below: number }) & { usage?: string },
): Field<K, number> {
  const lo = 'above' in f ? { value: f.above, open: true } : { value: f.min, open: false };
  const hi = 'below' in f ? { value: f.below, open: true } : { value: f.max, open: false };
  const range =
    !lo.open && !hi.open
      ? `from ${lo.value} to ${hi.value}`
      : `${lo.open ? 'above' : 'at least'} ${lo.value} and ${hi.open ? 'below' : 'at most'} ${hi.value}`;
  const accepts = `a number ${range}`;
  return {
    ...f,
    usage: f.usage ?? 'X',
    accepts,
    parse: numberOf,
    check: (v) => {
      const ok = typeof v === 'number' && Number.isFinite(v) && (lo.open ? v > lo.value : v >= lo.value) && (hi.open ? v < hi.value : v <= hi.value);
      return ok ? null : `must be ${accepts}`;
    },
  };
}

/** One of a list of words. */
export function choiceField<K extends string, const T extends string>(f: Common<K, NoInfer<T>> & { values: readonly T[]; usage?: string }): Field<K, T> {
  return {
    ...f,
    usage: f.usage ?? f.values.join('|'),
    accepts: `one of ${f.values.join(', ')}`,
    parse: (raw) => raw,
    // The value itself is in every message around this one ("layout=zigzag", got "zigzag").
    check: (v) => ((f.values as readonly unknown[]).includes(v) ? null : `must be one of ${f.values.join(', ')}`),
  };
}

const ON = ['true', 'on', 'yes', '1'];
const OFF = ['false', 'off', 'no', '0'];

/** On or off: a checkbox on the page, `true`/`false` in the URL, a flag without a value on the command line. */
export function switchField<K extends string>(f: Common<K, boolean>): Field<K, boolean> {
  return {
    ...f,
    usage: '',
    accepts: 'true or false',
    switch: true,
    parse: (raw) => {
      const w = raw.trim().toLowerCase();
      return ON.includes(w) ? true : OFF.includes(w) ? false : raw;
    },
    check: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  };
}

/** Whole numbers as typed ("1,2,4" or "1 2 4"), sorted and without repeats, or the first piece that is not one. */
export function parseWholeList(text: string, min: number, max: number): number[] | { bad: string } {
  const out: number[] = [];
  for (const p of text.split(/[\s,]+/u).filter(Boolean)) {
    if (!/^\d+$/u.test(p) || Number(p) < min || Number(p) > max) return { bad: p };
    out.push(Number(p));
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** A list of whole numbers kept as typed (the page shows the text); parseWholeList reads it. */
export function wholeListField<K extends string>(f: Common<K, string> & { min: number; max: number; usage?: string }): Field<K, string> {
  const accepts = `whole numbers from ${f.min} to ${f.max}, separated by commas`;
  return {
    ...f,
    usage: f.usage ?? 'N,N,...',
    accepts,
    range: { min: f.min, max: f.max },
    parse: (raw) => raw,
    check: (v) => {
      if (typeof v !== 'string') return `must be ${accepts}`;
      const r = parseWholeList(v, f.min, f.max);
      return Array.isArray(r) ? null : `must be ${accepts} ("${r.bad}" is not)`;
    },
  };
}

/** A group's fields, one per key of its settings object S (so none is missing and each has S's type). */
export type FieldTable<S> = { readonly [K in keyof S & string]: Field<K, S[K]> };

/** The settings object a table describes, for tables declared without an interface of their own. */
export type SettingsOf<T> = { -readonly [K in keyof T]: T[K] extends Field<string, infer V> ? V : never };

/** The group's defaults, read off its table. */
export function defaultsOf<S>(table: FieldTable<S>): S {
  return Object.fromEntries(Object.values<Field>(table).map((f) => [f.key, f.fallback])) as S;
}

/** The first thing wrong with `values` (a settings object), as "<label> = <value>: <why>.", or null. */
export function tableProblem<S>(table: FieldTable<S>, values: Partial<Record<keyof S, unknown>>): string | null {
  for (const f of Object.values<Field>(table)) {
    if (!(f.key in values)) continue;
    const v = (values as Record<string, unknown>)[f.key];
    const why = f.check(v);
    if (why) return `${f.label} = ${String(v)}: ${f.label} ${why}.`;
  }
  return null;
}

/** The --help lines of the fields that have a flag: "  --steps S  optimisation steps: a whole number from 1 to 100000 (default 5000)". */
export function flagHelp<S>(table: FieldTable<S>): string[] {
  const withFlag = Object.values<Field>(table).filter((f) => f.flag);
  const heads = withFlag.map((f) => (f.switch ? `--${f.flag}` : `--${f.flag} ${f.usage}`));
  const width = Math.max(...heads.map((h) => h.length));
  return withFlag.map((f, i) => `  ${heads[i].padEnd(width)}  ${f.help}${f.switch ? ' (a switch: off unless given)' : `: ${f.accepts}${f.fallback === '' ? '' : ` (default ${String(f.fallback)})`}`}`);
}

/** Text, of at most `maxLength` characters when given. */
export function textField<K extends string>(f: Common<K, string> & { maxLength?: number; usage?: string }): Field<K, string> {
  const max = f.maxLength ?? Infinity;
  const accepts = f.maxLength === undefined ? 'text' : `text of at most ${f.maxLength} characters`;
  return {
    ...f,
    usage: f.usage ?? 'TEXT',
    accepts,
    parse: (raw) => raw,
    check: (v) => (typeof v === 'string' && v.length <= max ? null : `must be ${accepts}`),
  };
}
