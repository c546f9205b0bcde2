/**
 * The lab's settings: one typed object, mirrored to the page URL so a link reproduces a run
 * (model, text and every setting that changes the result). Every field belongs to one settings
 * table (src/shared/fields.ts) and reaches the page through a group (settings-group.ts): the URL
 * names, defaults, parsing and checks below are read off the groups. Pure functions; tested in Node.
 */
import { PAPER_SETTINGS, RUN_FIELDS, type ProtoSettings } from '../shared/run-settings.ts';
import { choiceField, textField, type FieldTable, type SettingsOf } from '../shared/fields.ts';
import { EXPERIMENTS_GROUP, type ExperimentSettings } from './experiments-settings.ts';
import { GEOMETRY_GROUP, GEOMETRY_VIEW_GROUP, type GeometryLabSettings } from './geometry-settings.ts';
import { BEZIER_GROUP, INTERP_GROUP, type InterpSettings } from './interp-settings.ts';
import { LIBRARY_GROUP, type LibrarySettings } from './library-settings.ts';
import { settingsGroup, type PageSettings } from './settings-group.ts';
import { EXPERIMENT_FIELDS } from '../shared/experiment-spec.ts';
import { ONESHOT, type RunMethod } from '../shared/run-method.ts';
import type { MethodName } from '../experiments/records.ts';
import { WEIGHTS_FIELD } from './weights.ts';

/** The page's views (tabs); views.tsx says what each shows. */
export const VIEW_NAMES = ['compress', 'library', 'interpolate', 'geometry', 'experiments'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];
export function isViewName(v: unknown): v is ViewName {
  return typeof v === 'string' && (VIEW_NAMES as readonly string[]).includes(v);
}

/** The run settings the compress view sets; the others keep the paper's values. */
const PAGE_RUN_KEYS = ['maxSteps', 'lr', 'seed', 'reportEvery', 'layout', 'firstTarget'] as const;
type PageRunKey = (typeof PAGE_RUN_KEYS)[number];

/**
 * Which tab is shown, the model (a reference, see model-ref.ts; '' until one is chosen), how its
 * weights are stored (weights.ts: part of what a link reproduces, since a quantized model is
 * another function) and the text.
 */
const BASE_FIELDS = {
  view: choiceField({ key: 'view', url: 'view', label: 'view', help: 'the tab shown', fallback: 'compress', values: VIEW_NAMES }),
  model: textField({ key: 'model', url: 'model', label: 'model', help: 'a served model, hf:owner/name@rev or local:folder', fallback: '' }),
  weights: WEIGHTS_FIELD,
  text: textField({ key: 'text', url: 'text', label: 'text', help: 'the text to compress', fallback: '' }),
} as const;
type PageBase = SettingsOf<typeof BASE_FIELDS>;

const RUN_GROUP = settingsGroup('', RUN_FIELDS, { keys: PAGE_RUN_KEYS, onlyChanged: false });

/** Which method the compress view runs: the experiment table's fields, under the compress view's URL names. */
interface PageMethod {
  method: MethodName;
  memoryTokens: number;
}
const METHOD_FIELDS: FieldTable<PageMethod> = {
  method: { ...EXPERIMENT_FIELDS.method, url: 'method' },
  memoryTokens: { ...EXPERIMENT_FIELDS.memoryTokens, url: 'k' },
};
const METHOD_GROUP = settingsGroup('', METHOD_FIELDS);

/** Every group of the page's settings, in URL order; the run settings are always written, the others where they differ from the defaults. */
const GROUPS = [settingsGroup('', BASE_FIELDS), RUN_GROUP, METHOD_GROUP, EXPERIMENTS_GROUP, GEOMETRY_GROUP, GEOMETRY_VIEW_GROUP, INTERP_GROUP, BEZIER_GROUP, LIBRARY_GROUP] as const;

export type LabSettings = PageBase & PageSettings<'', ProtoSettings, PageRunKey> & PageMethod & GeometryLabSettings & ExperimentSettings & LibrarySettings & InterpSettings;

export const DEFAULT_SETTINGS = Object.assign({}, ...GROUPS.map((g) => g.defaults)) as LabSettings;

function groupOf(key: string) {
  const g = GROUPS.find((x) => x.has(key));
  if (!g) throw new Error(`no settings field ${key}`);
  return g;
}

/** URL parameter of each field. */
const KEYS = Object.assign({}, ...GROUPS.map((g) => g.urlKeys)) as Record<keyof LabSettings, string>;

/** Why a value is not acceptable for a field, or null when it is. */
export function checkField(key: keyof LabSettings, value: unknown): string | null {
  return groupOf(key).check(key, value);
}

/** A field's value from its text (a form input or the URL), by its table's rule; checkField says whether it fits. */
export function parseField(key: keyof LabSettings, raw: string): unknown {
  return groupOf(key).parse(key, raw);
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
    if (key === 'text' && String(v).length > MAX_URL_TEXT_CHARS) continue;
    if (groupOf(key).onlyChanged && v === DEFAULT_SETTINGS[key]) continue;
    q.set(KEYS[key], String(v));
  }
  return q.toString();
}

/**
 * Settings from a query string; missing fields take `defaults`, unusable ones too, with one
 * message each in `problems` so the page can say what it ignored.
 */
export function settingsFromQuery(query: string, defaults: LabSettings = DEFAULT_SETTINGS): { settings: LabSettings; problems: string[] } {
  const q = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const out: Record<string, unknown> = { ...defaults };
  const problems: string[] = [];
  for (const key of Object.keys(KEYS) as (keyof LabSettings)[]) {
    const raw = q.get(KEYS[key]);
    if (raw === null) continue;
    const group = groupOf(key);
    const value = group.parse(key, raw);
    const why = group.check(key, value);
    if (why) problems.push(`ignored ${KEYS[key]}=${raw}: ${why}`);
    else out[key] = value;
  }
  return { settings: out as unknown as LabSettings, problems };
}

/** The method a compression runs. */
export function toRunMethod(s: LabSettings): RunMethod {
  return s.method === 'memory' ? { kind: 'memory', K: s.memoryTokens } : ONESHOT;
}

/** The engine settings of a run: the paper's, with the lab's fields on top. */
export function toProtoSettings(s: LabSettings): ProtoSettings {
  return { ...PAPER_SETTINGS, ...RUN_GROUP.ownKeys(s) };
}
