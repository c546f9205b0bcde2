/**
 * The geometry view's settings: part of LabSettings (so the URL restores the experiment and the
 * view's choices), with the checks the URL parser and the form share. The experiment's own fields
 * and ranges are those of src/geometry/experiment-types.ts; this maps them to URL keys.
 */
import { checkGeometryField, DEFAULT_GEOMETRY, type GeometrySettings } from '../geometry/experiment-types.ts';
import type { SolutionPart } from '../worker/protocol.ts';

export interface GeometryLabSettings {
  geoContexts: number;
  geoContinuations: number;
  geoRestarts: number;
  geoLength: number;
  geoSteps: number;
  geoSeed: number;
  geoScanPoints: number;
  geoEmbedder: GeometrySettings['embedder'];
  geoSource: string;
  /** Which part of the solutions the heatmaps and Fig. 6 compare: [e, m], e or m. */
  geoPart: SolutionPart;
}

export const GEOMETRY_LAB_DEFAULTS: GeometryLabSettings = {
  geoContexts: DEFAULT_GEOMETRY.contexts,
  geoContinuations: DEFAULT_GEOMETRY.continuations,
  geoRestarts: DEFAULT_GEOMETRY.restarts,
  geoLength: DEFAULT_GEOMETRY.length,
  geoSteps: DEFAULT_GEOMETRY.steps,
  geoSeed: DEFAULT_GEOMETRY.seed,
  geoScanPoints: DEFAULT_GEOMETRY.scanPoints,
  geoEmbedder: DEFAULT_GEOMETRY.embedder,
  geoSource: DEFAULT_GEOMETRY.source,
  geoPart: 'em',
};

/** URL parameter of each field. */
export const GEOMETRY_FIELD_KEYS: Record<keyof GeometryLabSettings, string> = {
  geoContexts: 'geo_k',
  geoContinuations: 'geo_j',
  geoRestarts: 'geo_r',
  geoLength: 'geo_len',
  geoSteps: 'geo_steps',
  geoSeed: 'geo_seed',
  geoScanPoints: 'geo_scan',
  geoEmbedder: 'geo_embed',
  geoSource: 'geo_source',
  geoPart: 'geo_part',
};

/** The text sources the dev server offers for contexts (src/datasets/served.ts). */
export const GEOMETRY_SOURCES = ['pg19', 'pg19-all', 'recent'] as const;

const FIELD_OF: Record<Exclude<keyof GeometryLabSettings, 'geoPart'>, keyof GeometrySettings> = {
  geoContexts: 'contexts',
  geoContinuations: 'continuations',
  geoRestarts: 'restarts',
  geoLength: 'length',
  geoSteps: 'steps',
  geoSeed: 'seed',
  geoScanPoints: 'scanPoints',
  geoEmbedder: 'embedder',
  geoSource: 'source',
};

export function isGeometryField(key: string): key is keyof GeometryLabSettings {
  return Object.hasOwn(GEOMETRY_FIELD_KEYS, key);
}

/** Why a value is not acceptable for a geometry field, or null when it is. */
export function checkGeometryLabField(key: keyof GeometryLabSettings, v: unknown): string | null {
  if (key === 'geoPart') return v === 'em' || v === 'e' || v === 'm' ? null : 'the compared part must be em, e or m';
  if (key === 'geoSource') return typeof v === 'string' && (GEOMETRY_SOURCES as readonly string[]).includes(v) ? null : `the context source must be one of ${GEOMETRY_SOURCES.join(', ')}`;
  return checkGeometryField(FIELD_OF[key], v as never);
}

/** The experiment's settings from the lab's. */
export function toGeometrySettings(s: GeometryLabSettings): GeometrySettings {
  return {
    contexts: s.geoContexts,
    continuations: s.geoContinuations,
    restarts: s.geoRestarts,
    length: s.geoLength,
    steps: s.geoSteps,
    seed: s.geoSeed,
    scanPoints: s.geoScanPoints,
    embedder: s.geoEmbedder,
    source: s.geoSource,
  };
}
