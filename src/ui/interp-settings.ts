/**
 * The interpolate view's settings: part of LabSettings (so the URL restores the pair, the scan
 * resolution and the Bezier training settings). The view's own fields are `interp<Field>`; the
 * Bezier training's are BEZIER_FIELDS (src/shared/bezier-settings.ts) as `bez<Field>`.
 */
import { BEZIER_FIELDS, type BezierSettings } from '../shared/bezier-settings.ts';
import { numberField, textField, wholeField, type FieldTable } from '../shared/fields.ts';
import { settingsGroup, type PageSettings } from './settings-group.ts';

export const MAX_SCAN_POINTS = 1001;

interface InterpView {
  /** Library ids of the two endpoints ('' until picked). */
  a: string;
  b: string;
  /** Points of a scan along tau in [0, 1]. */
  resolution: number;
  /** Where the tau slider stands. */
  tau: number;
}

const INTERP_FIELDS: FieldTable<InterpView> = {
  a: textField({ key: 'a', url: 'pair_a', label: 'pair id', help: 'the first endpoint (a library id)', fallback: '', maxLength: 100 }),
  b: textField({ key: 'b', url: 'pair_b', label: 'pair id', help: 'the second endpoint (a library id)', fallback: '', maxLength: 100 }),
  resolution: wholeField({ key: 'resolution', url: 'scan_points', label: 'scan points', help: 'points of a scan along tau', fallback: 21, min: 2, max: MAX_SCAN_POINTS }),
  tau: numberField({ key: 'tau', url: 'tau', label: 'tau', help: 'where the slider stands', fallback: 0.5, min: 0, max: 1 }),
};

export const INTERP_GROUP = settingsGroup('interp', INTERP_FIELDS);
export const BEZIER_GROUP = settingsGroup('bez', BEZIER_FIELDS);

export type InterpSettings = PageSettings<'interp', InterpView> & PageSettings<'bez', BezierSettings>;

export const INTERP_DEFAULTS: InterpSettings = { ...INTERP_GROUP.defaults, ...BEZIER_GROUP.defaults };

export function bezierSettingsOf(s: InterpSettings): BezierSettings {
  return BEZIER_GROUP.ownKeys(s);
}
