/**
 * The geometry view's actions: start the Figs. 5-7 experiment on the loaded model with the view's
 * settings (and the lab's layout and learning rate), or stop it. The served model folders go along
 * so the worker can find a local all-MiniLM-L6-v2.
 */
import type { EngineClient } from '../worker/client.ts';
import { geometryProblems } from '../geometry/experiment-types.ts';
import { recordFromSolution, type SolutionRecord } from '../library/records.ts';
import { compareRequested, geometryActive, geometryRequested, geometryStopRequested, keepFinished, keepRequested } from './geometry-state.ts';
import { errorText } from './probes.ts';
import { toGeometrySettings } from './geometry-settings.ts';
import { jobBlocker } from './selectors.ts';
import type { LabState } from './state.ts';
import { applyTo, type LabStore } from './store.ts';

export interface GeometryActions {
  geometryStart(): void;
  geometryStop(): void;
  /** Pairwise distances between solution files (library picks), computed in the worker. */
  geometryCompare(items: { id: string; name: string; bytes: ArrayBuffer }[]): void;
  /** Keeps the last experiment's solutions in the library, tagged by context; the outcome goes to state.geometry.keep. */
  geometryKeep(): Promise<void>;
}

/** The library action the geometry view uses. */
export interface GeometryLibrary {
  libraryAdd(records: SolutionRecord[]): Promise<number>;
}

/** Why the experiment cannot start now, or null. */
export function geometryBlocker(s: LabState): string | null {
  if (s.model.state !== 'ready') return 'Load a model first.';
  const busy = jobBlocker(s);
  if (busy) return busy;
  const problems = geometryProblems(toGeometrySettings(s.settings));
  return problems.length ? `Fix the settings: ${problems.join('; ')}.` : null;
}

export function createGeometryActions(store: LabStore, client: EngineClient, library: GeometryLibrary): GeometryActions {
  /** Keeps the files in the library, tagged; resolves to what the status line says. */
  const keep = async (): Promise<string> => {
    // The files come back as one answer to this request (an error for it rejects it, and only it),
    // each with its metadata: they were made with the loaded model just now, so they are kept as
    // they are (as an import would record them), without a GPU decode check per file.
    const { files } = await client.request({ type: 'geometrySolutions' });
    const t0 = Date.now();
    // One millisecond apart, so the library lists them in a fixed order (the last file first, as when each was imported in turn).
    const records = files.map((f, i) => recordFromSolution(f.meta, f.bytes, { name: f.name, source: 'import', tags: f.tags, savedAt: new Date(t0 + i) }));
    const kept = await library.libraryAdd(records);
    // All or none (one transaction): a refusal rejects, so what is kept is every file.
    return `${kept} solution${kept === 1 ? '' : 's'} kept in the library (tags geometry, context:…, text:…).`;
  };

  /** Numbers each keep, so one that ends late cannot take a later keep's place (keepFinished). */
  let keeps = 0;

  return {
    geometryStart() {
      const s = store.getState();
      if (geometryBlocker(s) !== null) return;
      const settings = toGeometrySettings(s.settings);
      const served = s.catalog.state === 'ready' ? s.catalog.models.map((m) => ({ name: m.name, files: m.files })) : [];
      applyTo(store, 'geometry', geometryRequested, settings);
      client.send({ type: 'geometryStart', settings, proto: { layout: s.settings.layout, firstTarget: s.settings.firstTarget, lr: s.settings.lr }, served });
    },
    geometryStop() {
      if (!geometryActive(store.getState().geometry.phase)) return;
      applyTo(store, 'geometry', geometryStopRequested);
      client.send({ type: 'geometryStop' });
    },
    async geometryKeep() {
      const id = ++keeps;
      applyTo(store, 'geometry', keepRequested, id);
      const [ok, text] = await keep().then(
        (summary) => [true, summary] as const,
        (e: unknown) => [false, errorText(e)] as const,
      );
      applyTo(store, 'geometry', keepFinished, id, ok, text);
    },
    geometryCompare(items) {
      const requestId = client.newRequestId();
      applyTo(store, 'geometry', compareRequested, requestId, items.map((it) => it.id));
      client.send({ type: 'geometryCompare', requestId, items });
    },
  };
}
