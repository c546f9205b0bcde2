/**
 * The lab's settings: one typed object, mirrored to the page URL so a link reproduces a run
 * (model, text and every setting that changes the result). Pure functions; tested in Node.
 */
import { isLayoutName, PAPER_SETTINGS, type FirstTarget, type LayoutName, type ProtoSettings } from '../worker/protocol.ts';
import { EXPERIMENT_FIELD_KEYS, EXPERIMENT_DEFAULTS, checkExperimentField, isExperimentField, type ExperimentSettings } from './experiment-settings.ts';
import { GEOMETRY_FIELD_KEYS, GEOMETRY_LAB_DEFAULTS, checkGeometryLabField, isGeometryField, type GeometryLabSettings } from './geometry-settings.ts';
import { INTERP_DEFAULTS, INTERP_FIELD_KEYS, checkInterpField, isInterpField, type InterpSettings } from './interp-settings.ts';
import { LIBRARY_DEFAULTS, LIBRARY_FIELD_KEYS, checkLibraryField, isLibraryField, type LibrarySettings } from './library-settings.ts';

/** The page's views (tabs); views.tsx says what each shows. */
export const VIEW_NAMES = ['compress', 'library', 'interpolate', 'geometry', 'experiments'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];
export function isViewName(v: unknown): v is ViewName {
  return typeof v === 'string' && (VIEW_NAMES as readonly string[]).includes(v);
}

export interface LabSettings extends GeometryLabSettings, ExperimentSettings, LibrarySettings, InterpSettings {
  /** Which tab is shown. */
  view: ViewName;
  /** A model reference (see model-ref.ts); '' until one is chosen. */
  model: string;
  text: string;
  steps: number;
  lr: number;
  seed: number;
  reportEvery: number;
  layout: LayoutName;
  firstTarget: FirstTarget;
}

export const DEFAULT_SETTINGS: LabSettings = {
  view: 'compress',
  model: '',
  text: '',
  steps: PAPER_SETTINGS.maxSteps,
  lr: PAPER_SETTINGS.lr,
  seed: PAPER_SETTINGS.seed,
  reportEvery: PAPER_SETTINGS.reportEvery,
  layout: PAPER_SETTINGS.layout,
  firstTarget: PAPER_SETTINGS.firstTarget,
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
  steps: 'steps',
  lr: 'lr',
  seed: 'seed',
  reportEvery: 'report',
  layout: 'layout',
  firstTarget: 'target',
  ...EXPERIMENT_FIELD_KEYS,
  ...GEOMETRY_FIELD_KEYS,
  ...INTERP_FIELD_KEYS,
  ...LIBRARY_FIELD_KEYS,
};

export const MAX_STEPS = 100_000;
export const MAX_REPORT_EVERY = 10_000;

/** Why a value is not acceptable for a field, or null when it is. */
export function checkField<K extends keyof LabSettings>(key: K, value: LabSettings[K]): string | null {
  const v = value as unknown;
  if (isExperimentField(key)) return checkExperimentField(key, v);
  if (isGeometryField(key)) return checkGeometryLabField(key, v);
  if (isInterpField(key)) return checkInterpField(key, v);
  if (isLibraryField(key)) return checkLibraryField(key, v);
  switch (key) {
    case 'steps':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_STEPS ? null : `steps must be a whole number from 1 to ${MAX_STEPS}`;
    case 'lr':
      return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 10 ? null : 'lr must be a positive number (at most 10)';
    case 'seed':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff ? null : 'seed must be a whole number from 0 to 4294967295';
    case 'reportEvery':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_REPORT_EVERY ? null : `report interval must be a whole number from 1 to ${MAX_REPORT_EVERY}`;
    case 'layout':
      return typeof v === 'string' && isLayoutName(v) ? null : `unknown layout ${JSON.stringify(v)}`;
    case 'firstTarget':
      return v === 'e' || v === 'first-m' ? null : 'first target must be "e" or "first-m"';
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
    switch (key) {
      case 'steps':
      case 'lr':
      case 'seed':
      case 'reportEvery':
        put(key, parseNumber(raw));
        break;
      case 'layout':
        put(key, raw as LayoutName);
        break;
      case 'firstTarget':
        put(key, raw as FirstTarget);
        break;
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
  return { ...PAPER_SETTINGS, maxSteps: s.steps, lr: s.lr, seed: s.seed, reportEvery: s.reportEvery, layout: s.layout, firstTarget: s.firstTarget };
}
