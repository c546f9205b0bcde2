/**
 * The lab's settings: one typed object, mirrored to the page URL so a link reproduces a run
 * (model, text and every setting that changes the result). Pure functions; tested in Node.
 */
import { PAPER_SETTINGS, RUN_FIELDS, type ProtoSettings } from '../shared/run-settings.ts';
import { EXPERIMENT_FIELD_KEYS, EXPERIMENT_DEFAULTS, checkExperimentField, isExperimentField, type ExperimentSettings } from './experiments-settings.ts';
import { GEOMETRY_FIELD_KEYS, GEOMETRY_LAB_DEFAULTS, checkGeometryLabField, isGeometryField, type GeometryLabSettings } from './geometry-settings.ts';
import { INTERP_DEFAULTS, INTERP_FIELD_KEYS, checkInterpField, isInterpField, type InterpSettings } from './interp-settings.ts';
import { LIBRARY_DEFAULTS, LIBRARY_FIELD_KEYS, checkLibraryField, isLibraryField, type LibrarySettings } from './library-settings.ts';

/** The page's views (tabs); views.tsx says what each shows. */
export const VIEW_NAMES = ['compress', 'library', 'interpolate', 'geometry', 'experiments'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];
export function isViewName(v: unknown): v is ViewName {
  return typeof v === 'string' && (VIEW_NAMES as readonly string[]).includes(v);
}

/** The run settings the compress view sets; the others keep the paper's values. Fields, bounds and URL names: RUN_FIELDS. */
const PAGE_RUN_KEYS = ['maxSteps', 'lr', 'seed', 'reportEvery', 'layout', 'firstTarget'] as const;
type PageRunKey = (typeof PAGE_RUN_KEYS)[number];

function isPageRunKey(key: string): key is PageRunKey {
  return (PAGE_RUN_KEYS as readonly string[]).includes(key);
}

export interface LabSettings extends Pick<ProtoSettings, PageRunKey>, GeometryLabSettings, ExperimentSettings, LibrarySettings, InterpSettings {
  /** Which tab is shown. */
  view: ViewName;
  /** A model reference (see model-ref.ts); '' until one is chosen. */
  model: string;
  text: string;
}

const pageRun = (s: Pick<ProtoSettings, PageRunKey>): Pick<ProtoSettings, PageRunKey> =>
  Object.fromEntries(PAGE_RUN_KEYS.map((k) => [k, s[k]])) as Pick<ProtoSettings, PageRunKey>;

export const DEFAULT_SETTINGS: LabSettings = {
  view: 'compress',
  model: '',
  text: '',
  ...pageRun(PAPER_SETTINGS),
  ...EXPERIMENT_DEFAULTS,
  ...GEOMETRY_LAB_DEFAULTS,
  ...INTERP_DEFAULTS,
  ...LIBRARY_DEFAULTS,
};

/** URL parameter of each field. */
const KEYS: Record<keyof LabSettings, string> = {
  view: 'view',
  model: 'model',
  text: 'text',
  ...(Object.fromEntries(PAGE_RUN_KEYS.map((k) => [k, RUN_FIELDS[k].url!])) as Record<PageRunKey, string>),
  ...EXPERIMENT_FIELD_KEYS,
  ...GEOMETRY_FIELD_KEYS,
  ...INTERP_FIELD_KEYS,
  ...LIBRARY_FIELD_KEYS,
};

/** Why a value is not acceptable for a field, or null when it is. */
export function checkField<K extends keyof LabSettings>(key: K, value: LabSettings[K]): string | null {
  const v = value as unknown;
  if (isExperimentField(key)) return checkExperimentField(key, v);
  if (isGeometryField(key)) return checkGeometryLabField(key, v);
  if (isInterpField(key)) return checkInterpField(key, v);
  if (isLibraryField(key)) return checkLibraryField(key, v);
  if (isPageRunKey(key)) {
    const f = RUN_FIELDS[key];
    const why = f.check(v);
    return why ? `${f.label} ${why}` : null;
  }
  switch (key) {
    case 'view':
      return isViewName(v) ? null : `unknown view ${JSON.stringify(v)} (one of ${VIEW_NAMES.join(', ')})`;
    default:
      return typeof v === 'string' ? null : `${key} must be text`;
  }
}

/**
 * Texts longer than this stay out of the URL: a pasted book would make a multi-megabyte URL that
 * browsers refuse to reload or share (Chrome stops at 2 MB), and no model here takes a text that long.
 */
export const MAX_URL_TEXT_CHARS = 32_000;

/** Query string (without "?") for the settings; the text is left out when empty or longer than MAX_URL_TEXT_CHARS. */
export function settingsToQuery(s: LabSettings): string {
  const q = new URLSearchParams();
  for (const key of Object.keys(KEYS) as (keyof LabSettings)[]) {
    const v = s[key];
    if ((key === 'text' || key === 'model') && v === '') continue;
    if (key === 'text' && String(v).length > MAX_URL_TEXT_CHARS) continue;
    if (key === 'view' && v === DEFAULT_SETTINGS.view) continue;
    // The experiments view's settings appear in the URL only where they differ from the defaults.
    if (isExperimentField(key) && v === DEFAULT_SETTINGS[key]) continue;
    if (isGeometryField(key) && v === DEFAULT_SETTINGS[key]) continue;
    if (isInterpField(key) && v === DEFAULT_SETTINGS[key]) continue;
    if (isLibraryField(key) && v === DEFAULT_SETTINGS[key]) continue;
    q.set(KEYS[key], String(v));
  }
  return q.toString();
}

function parseNumber(raw: string): number {
  return raw.trim() === '' ? NaN : Number(raw);
}

/**
 * Settings from a query string; missing fields take `defaults`, unusable ones too, with one
 * message each in `problems` so the page can say what it ignored.
 */
export function settingsFromQuery(query: string, defaults: LabSettings = DEFAULT_SETTINGS): { settings: LabSettings; problems: string[] } {
  const q = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const out: LabSettings = { ...defaults };
  const problems: string[] = [];
  const put = <K extends keyof LabSettings>(key: K, value: LabSettings[K]) => {
    const why = checkField(key, value);
    if (why) problems.push(`ignored ${KEYS[key]}=${q.get(KEYS[key])}: ${why}`);
    else out[key] = value;
  };
  for (const key of Object.keys(KEYS) as (keyof LabSettings)[]) {
    const raw = q.get(KEYS[key]);
    if (raw === null) continue;
    if (isExperimentField(key)) {
      put(key, (typeof EXPERIMENT_DEFAULTS[key] === 'number' ? parseNumber(raw) : raw) as never);
      continue;
    }
    if (isGeometryField(key)) {
      put(key, (typeof GEOMETRY_LAB_DEFAULTS[key] === 'number' ? parseNumber(raw) : raw) as never);
      continue;
    }
    if (isInterpField(key)) {
      put(key, (typeof INTERP_DEFAULTS[key] === 'number' ? parseNumber(raw) : raw) as never);
      continue;
    }
    if (isPageRunKey(key)) {
      put(key, RUN_FIELDS[key].parse(raw) as never);
      continue;
    }
    switch (key) {
      case 'view':
        put(key, raw as ViewName);
        break;
      default:
        put(key, raw);
    }
  }
  return { settings: out, problems };
}

/** The engine settings of a run: the paper's, with the lab's fields on top. */
export function toProtoSettings(s: LabSettings): ProtoSettings {
  return { ...PAPER_SETTINGS, ...pageRun(s) };
}
