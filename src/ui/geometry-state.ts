/**
 * The geometry view's state (plain data) and its pure transitions: the experiment's phase, its
 * progress, and its results folded in from partial messages as they arrive (addPartial, the same
 * fold the worker uses, so the page holds exactly what the engine computed).
 */
import type { FromWorker, GeometryProgress, GeometryResult, GeometrySettings, SolutionPart } from '../worker/protocol.ts';
import { addPartial, emptyGeometryResult } from '../geometry/experiment-types.ts';

export type GeometryPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'done';

/** The heatmap of library solutions picked by the user (distances computed in the worker). */
export type CompareView =
  | { state: 'none' }
  | { state: 'computing'; requestId: number; ids: string[] }
  | { state: 'ready'; ids: string[]; distances: Record<SolutionPart, number[][]> }
  | { state: 'error'; ids: string[]; message: string };

/** The outcome of "keep the solutions in the library" for the results on show; `id` tells one keep from a later one. */
export type KeepView = { state: 'saving'; id: number; text: string } | { state: 'done' | 'error'; text: string } | null;

export interface GeometryView {
  phase: GeometryPhase;
  compare: CompareView;
  result: GeometryResult | null;
  progress: GeometryProgress | null;
  /** How the last run ended, and its length. */
  stoppedBy: 'done' | 'stopped' | null;
  seconds: number | null;
  error: string | null;
  /** Kept in the state (not the component) so a new run, which replaces the results, clears it. */
  keep: KeepView;
}

export const IDLE_GEOMETRY: GeometryView = { phase: 'idle', compare: { state: 'none' }, result: null, progress: null, stoppedBy: null, seconds: null, error: null, keep: null };

export function geometryActive(phase: GeometryPhase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'stopping';
}

/** Run pressed: a fresh, empty result for these settings. */
export function geometryRequested(v: GeometryView, settings: GeometrySettings): GeometryView {
  return { ...IDLE_GEOMETRY, compare: v.compare, phase: 'starting', result: emptyGeometryResult(settings) };
}

/** Keep pressed; `id` is new for each keep (geometry-actions.ts counts them). */
export function keepRequested(v: GeometryView, id: number): GeometryView {
  return { ...v, keep: { state: 'saving', id, text: 'keeping…' } };
}

/**
 * Keep `id`'s outcome; dropped unless that keep is the one on show: a new run has started since
 * (its results are not the ones kept), perhaps with a keep of its own, whose outcome is not this.
 */
export function keepFinished(v: GeometryView, id: number, ok: boolean, text: string): GeometryView {
  return v.keep?.state === 'saving' && v.keep.id === id ? { ...v, keep: { state: ok ? 'done' : 'error', text } } : v;
}

export function geometryStopRequested(v: GeometryView): GeometryView {
  return geometryActive(v.phase) ? { ...v, phase: 'stopping' } : v;
}

export function compareRequested(v: GeometryView, requestId: number, ids: string[]): GeometryView {
  return { ...v, compare: { state: 'computing', requestId, ids } };
}

type GeometryMessage = Extract<FromWorker, { type: 'geometryProgress' | 'geometryPartial' | 'geometryDone' | 'geometryCompared' }>;

export function applyGeometryMessage(v: GeometryView, msg: GeometryMessage): GeometryView {
  if (msg.type === 'geometryCompared') {
    // Only the latest request's answer counts.
    if (v.compare.state !== 'computing' || v.compare.requestId !== msg.requestId) return v;
    return { ...v, compare: { state: 'ready', ids: msg.ids, distances: msg.distances } };
  }
  if (!geometryActive(v.phase) || !v.result) return v;
  const phase = v.phase === 'starting' ? 'running' : v.phase;
  switch (msg.type) {
    case 'geometryProgress':
      return { ...v, phase, progress: msg.progress };
    case 'geometryPartial':
      return { ...v, phase, result: addPartial(v.result, msg.partial) };
    case 'geometryDone':
      return { ...v, phase: 'done', stoppedBy: msg.stoppedBy, seconds: msg.seconds };
  }
}

const GEOMETRY_OPS = new Set<string>(['geometryStart', 'geometryStop', 'hiddenEmbed', 'geometryCompare', 'geometrySolutions']);

/** The view after an error of one of its requests, or null when the error is not the geometry view's. */
export function applyGeometryError(v: GeometryView, msg: Extract<FromWorker, { type: 'error' }>): GeometryView | null {
  if (!GEOMETRY_OPS.has(msg.op)) return null;
  // The keep button shows its own refusal (geometry-actions.ts awaits it).
  if (msg.op === 'geometrySolutions') return v;
  if (msg.op === 'geometryCompare') {
    if (v.compare.state !== 'computing' || v.compare.requestId !== msg.requestId) return v;
    return { ...v, compare: { state: 'error', ids: v.compare.ids, message: msg.message } };
  }
  if (msg.op === 'geometryStart') return { ...v, phase: v.result && (v.result.texts.length > 0 || v.phase !== 'starting') ? 'done' : 'idle', error: msg.message };
  return { ...v, error: msg.message };
}
