/**
 * One settings table (src/shared/fields.ts) as a part of the page's settings object: each field
 * under a page key `<prefix><Field>` (expTexts, geoSteps, bezLr, ...; no prefix: the key itself),
 * with its URL name, default, parse and check from the table. url-state.ts mirrors every group to
 * the URL the same way, so the form, the URL and the worker's checks of a field cannot disagree.
 */
import type { Field, FieldTable } from '../shared/fields.ts';

export type PageKey<P extends string, K extends string> = P extends '' ? K : `${P}${Capitalize<K>}`;
export type PageSettings<P extends string, S, K extends keyof S & string = keyof S & string> = { [F in K as PageKey<P, F>]: S[F] };

export interface SettingsGroup<P extends string, S, K extends keyof S & string = keyof S & string> {
  defaults: PageSettings<P, S, K>;
  /** URL parameter of each page key. */
  urlKeys: Record<string, string>;
  /** Written to the URL only where they differ from the defaults (false: always). */
  onlyChanged: boolean;
  has(key: string): key is keyof PageSettings<P, S, K> & string;
  /** Why a value does not fit ("texts must be a whole number from 1 to 1000"), or null. */
  check(key: string, v: unknown): string | null;
  /** A value from its URL (or form) text; checked afterwards. */
  parse(key: string, raw: string): unknown;
  /** The group's own settings object back from the page's keys. */
  ownKeys(s: PageSettings<P, S, K>): Pick<S, K>;
}

function pageKeyOf(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}${key[0].toUpperCase()}${key.slice(1)}`;
}

/** The fields `keys` (default: all) of `table` under page keys with `prefix`. */
export function settingsGroup<P extends string, S, K extends keyof S & string = keyof S & string>(
  prefix: P,
  table: FieldTable<S>,
  options: { keys?: readonly K[]; onlyChanged?: boolean } = {},
): SettingsGroup<P, S, K> {
  const keys = options.keys ?? (Object.keys(table) as K[]);
  const byPageKey = new Map<string, Field>(keys.map((k) => [pageKeyOf(prefix, k), table[k] as Field]));
  const field = (key: string) => {
    const f = byPageKey.get(key);
    if (!f) throw new Error(`no settings field ${key}`);
    return f;
  };
  return {
    defaults: Object.fromEntries(keys.map((k) => [pageKeyOf(prefix, k), table[k].fallback])) as PageSettings<P, S, K>,
    urlKeys: Object.fromEntries(keys.map((k) => [pageKeyOf(prefix, k), table[k].url ?? pageKeyOf(prefix, k)])),
    onlyChanged: options.onlyChanged ?? true,
    has: (key: string): key is keyof PageSettings<P, S, K> & string => byPageKey.has(key),
    check(key, v) {
      const f = field(key);
      const why = f.check(v);
      return why ? `${f.label} ${why}` : null;
    },
    parse: (key, raw) => field(key).parse(raw),
    ownKeys: (s) => Object.fromEntries(keys.map((k) => [k, (s as Record<string, unknown>)[pageKeyOf(prefix, k)]])) as Pick<S, K>,
  };
}
