/**
 * The geometry view's settings: part of LabSettings (so the URL restores the experiment and the
 * view's choices). The experiment's fields are GEOMETRY_FIELDS (src/geometry/experiment-types.ts)
 * under `geo<Field>` keys; the compared part is the view's own.
 */
import { GEOMETRY_FIELDS, type GeometrySettings } from '../geometry/experiment-types.ts';
import type { SolutionPart } from '../geometry/distances.ts';
import { choiceField, type FieldTable } from '../shared/fields.ts';
import { settingsGroup, type PageSettings } from './settings-group.ts';

export { GEOMETRY_SOURCES } from '../geometry/experiment-types.ts';

interface GeometryView {
  /** Which part of the solutions the heatmaps and Fig. 6 compare: [e, m], e or m. */
  part: SolutionPart;
}

const VIEW_FIELDS: FieldTable<GeometryView> = {
  part: choiceField({ key: 'part', url: 'geo_part', label: 'compared part', help: 'what the heatmaps compare', fallback: 'em', values: ['em', 'e', 'm'] }),
};

export const GEOMETRY_GROUP = settingsGroup('geo', GEOMETRY_FIELDS);
export const GEOMETRY_VIEW_GROUP = settingsGroup('geo', VIEW_FIELDS);

export type GeometryLabSettings = PageSettings<'geo', GeometrySettings> & PageSettings<'geo', GeometryView>;

/** The experiment's settings from the lab's. */
export function toGeometrySettings(s: GeometryLabSettings): GeometrySettings {
  return GEOMETRY_GROUP.ownKeys(s);
}
