/**
 * The page's controller: creates the store (from the URL) and the engine client, routes worker
 * messages into the store, mirrors the settings to the URL, tokenizes as the text changes, and
 * offers the user's actions. The only UI module that talks to the worker.
 */
import { createEngineClient, type EngineClient } from '../worker/client.ts';
import { createGeometryActions } from './geometry-actions.ts';
import { createExperimentActions, type ExperimentActions } from './experiments-actions.ts';
import { startLibrary, type LibraryActions } from './library-actions.ts';
import { createInterpActions, type InterpActions } from './interp-actions.ts';
import type { ToWorker } from '../worker/protocol.ts';
import { formatModelRef, modelRefLabel, parseModelRef, type ModelRef } from './model-ref.ts';
import { probeGpu, fetchModels, errorText } from './probes.ts';
import { catalogLoaded, dismissError, gpuProbed, modelLoading, runRequested, solutionRefused, solutionRequested, tokenizeRequested, updateSettings, urlProblemFound } from './reducers.ts';
import { runActive, initialState, type LabState } from './state.ts';
import { compressBlocker } from './selectors.ts';
import { apply, batchedDispatcher, createLabStore, setAppStore, type LabStore } from './store.ts';
import { settingsFromQuery, settingsToQuery, toProtoSettings, toRunMethod, type LabSettings } from './url-state.ts';
import { solutionSizeProblem } from '../util/solution-size.ts';
import { downloadBytes } from './download.ts';
import { weightsToLoad } from './weights.ts';
import { startEncoder, type EncoderActions } from './encoder-actions.ts';
import { runTarget } from './encoder-state.ts';
import { watchRunEntropy } from './run-entropy.ts';

export const DEFAULT_MODEL = 'stories260k';

/** The worker's start message for the run's tokens, with the view's settings and method (and the encoder's start, when it has one). */
function startMessage(s: LabState, target: { tokens: { ids: number[]; text: string }; from?: 'encoder' }, begin?: 'step'): Extract<ToWorker, { type: 'start' }> {
  const { tokens, from } = target;
  return { type: 'start', ids: tokens.ids, text: tokens.text, settings: toProtoSettings(s.settings), method: toRunMethod(s.settings), ...(begin ? { begin } : {}), ...(from ? { from } : {}) };
}

export interface LabActions extends ExperimentActions, LibraryActions, InterpActions, EncoderActions {
  setSettings(patch: Partial<LabSettings>): void;
  loadServed(name: string): void;
  loadHub(repo: string, revision: string): void;
  loadFiles(files: File[], folder?: string | null): void;
  compress(): void;
  pause(): void;
  resume(): void;
  step(): void;
  stop(): void;
  /** Space: start, pause or resume, whichever fits. */
  toggleRun(): void;
  save(): void;
  loadSolution(file: File): void;
  dismissError(): void;
  /** The geometry view (geometry-actions.ts). */
  geometryStart(): void;
  geometryStop(): void;
  geometryCompare(items: { id: string; name: string; bytes: ArrayBuffer }[]): void;
  /** Keeps the last experiment's solutions in the library, tagged by context; the outcome goes to state.geometry.keep. */
  geometryKeep(): Promise<void>;
}

export interface Lab {
  store: LabStore;
  client: EngineClient;
  actions: LabActions;
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

export function startLab(): Lab {
  const fromUrl = settingsFromQuery(location.search);
  const store = createLabStore(initialState(fromUrl.settings, fromUrl.problems));
  setAppStore(store);
  const client = createEngineClient();
  client.subscribe(batchedDispatcher(store));
  // The experiments' stored results (IndexedDB, in the worker): the tables show them after a reload.
  client.send({ type: 'experimentList' });
  const get = () => store.getState();
  // Every finished run is kept, checkpoints are written, interrupted runs are offered (library-actions.ts).
  const libraryActions = startLibrary(store, client);
  // The capacity bar's H_LM: one evaluate request per run, however it was started.
  watchRunEntropy(store, client);

  const experimentActions = createExperimentActions(store, client);
  // The encoder file and its prediction of the text, before any step (encoder-actions.ts).
  const encoderActions = startEncoder(store, client);
  type LoadMessage = Extract<ToWorker, { type: 'loadModel' }>;
  /** The last model asked for, kept so a change of weight format reloads it (picked files included). */
  let lastLoad: { ref: ModelRef; msg: LoadMessage } | null = null;
  /** Every load carries the page's weight format (the checkpoint's own precision: no `weights`). */
  const load = (ref: ModelRef, msg: LoadMessage) => {
    if (runActive(get().run.phase)) client.send({ type: 'stop' });
    lastLoad = { ref, msg };
    apply(store, modelLoading, formatModelRef(ref), modelRefLabel(ref));
    const weights = weightsToLoad(get().settings.weights);
    client.send({ ...msg, ...(weights ? { weights } : {}) });
  };

  const actions: LabActions = {
    ...libraryActions,
    ...experimentActions,
    ...encoderActions,
    setSettings(patch) {
      const before = get().settings.weights;
      apply(store, updateSettings, patch);
      // Another weight format is another model on the GPU: load the current one again in it. Before
      // the first load there is nothing to reload; the start-up load reads the setting.
      if (get().settings.weights !== before && lastLoad) load(lastLoad.ref, lastLoad.msg);
    },
    loadServed(name) {
      const ref: ModelRef = { kind: 'served', name };
      load(ref, { type: 'loadModel', label: name, source: { kind: 'url', url: new URL(`/models/${encodeURIComponent(name)}/`, location.href).href } });
    },
    loadHub(repo, revision) {
      const ref: ModelRef = { kind: 'hub', repo: repo.trim(), revision: revision.trim() || 'main' };
      load(ref, { type: 'loadModel', label: modelRefLabel(ref), source: { kind: 'hub', repo: ref.repo, revision: ref.revision } });
    },
    loadFiles(files, folder) {
      const first = files[0] as (File & { webkitRelativePath?: string }) | undefined;
      const label = folder || first?.webkitRelativePath?.split('/')[0] || 'picked files';
      load({ kind: 'local', label }, { type: 'loadModel', label, source: { kind: 'files', files } });
    },
    compress() {
      const s = get();
      const target = runTarget(s);
      if (compressBlocker(s) !== null || s.model.state !== 'ready' || !target) return;
      apply(store, runRequested, target.tokens, s.model.info.label);
      client.send(startMessage(s, target));
    },
    pause: () => client.send({ type: 'pause' }),
    resume: () => client.send({ type: 'resume' }),
    stop: () => client.send({ type: 'stop' }),
    step() {
      const s = get();
      if (s.settings.view === 'experiments') {
        experimentActions.experimentCommand('step');
        return;
      }
      if (runActive(s.run.phase)) {
        client.send({ type: 'step' });
        return;
      }
      // From idle: start a run paused and take its first step.
      const target = runTarget(s);
      if (compressBlocker(s) !== null || s.model.state !== 'ready' || !target) return;
      apply(store, runRequested, target.tokens, s.model.info.label);
      client.send(startMessage(s, target, 'step'));
    },
    toggleRun() {
      // In the experiments view Space drives the experiment, not the compression.
      if (get().settings.view === 'experiments') {
        experimentActions.toggleExperiment();
        return;
      }
      const phase = get().run.phase;
      if (phase === 'running' || phase === 'starting') actions.pause();
      else if (phase === 'paused') actions.resume();
      else if (!runActive(phase)) actions.compress();
    },
    save() {
      const r = get().run.result;
      if (r?.solution) downloadBytes(r.solution, r.fileName);
    },
    loadSolution(file) {
      // Refused by its size before it is read: a multi-GB file picked by mistake must not fill the tab's memory.
      const tooBig = solutionSizeProblem(file.name, file.size);
      if (tooBig) {
        apply(store, solutionRefused, file.name, tooBig);
        return;
      }
      file.arrayBuffer().then(
        (bytes) => {
          const requestId = client.newRequestId();
          apply(store, solutionRequested, file.name, requestId);
          client.send({ type: 'decode', requestId, name: file.name, bytes });
        },
        (e: unknown) => apply(store, solutionRefused, file.name, `Could not read ${file.name}: ${errorText(e)}`),
      );
    },
    dismissError: () => apply(store, dismissError),
    ...createGeometryActions(store, client, libraryActions),
    ...createInterpActions(store, client, libraryActions.librarySolutionBytes),
  };

  // Settings → URL (replaceState: editing a field should not add history entries).
  const writeUrl = debounce(() => {
    const q = settingsToQuery(get().settings);
    const url = `${location.pathname}${q ? `?${q}` : ''}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
  }, 250);
  // Text, layout or model changed → tokenize again (the latest answer wins).
  const tokenize = debounce(() => {
    const s = get();
    if (s.model.state !== 'ready') return;
    const requestId = client.newRequestId();
    apply(store, tokenizeRequested, requestId, s.settings.text);
    client.send({ type: 'tokenize', requestId, text: s.settings.text, layout: s.settings.layout, firstTarget: s.settings.firstTarget, method: toRunMethod(s.settings) });
  }, 120);
  // What the tokens depend on, compared part by part: folding a pasted book into one key string
  // would copy megabytes on every store update.
  const tokenInputs = (s: LabState): unknown[] | null =>
    s.model.state === 'ready' ? [s.model.info.fingerprint, s.settings.layout, s.settings.firstTarget, JSON.stringify(toRunMethod(s.settings)), s.settings.text] : null;
  store.subscribe((s, prev) => {
    if (s.settings !== prev.settings) writeUrl();
    const now = tokenInputs(s);
    const before = tokenInputs(prev);
    if (now && (!before || now.some((v, i) => v !== before[i]))) tokenize();
  });

  // A file dropped outside the model panel must not navigate away from the lab.
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (ev) => ev.preventDefault());

  probeGpu().then(
    (gpu) => apply(store, gpuProbed, gpu),
    (e: unknown) => apply(store, gpuProbed, { state: 'unavailable', reason: errorText(e) }),
  );
  fetchModels().then(
    (models) => {
      apply(store, catalogLoaded, { state: 'ready', models });
      const ref = parseModelRef(get().settings.model) ?? (models.some((m) => m.name === DEFAULT_MODEL) ? { kind: 'served' as const, name: DEFAULT_MODEL } : null);
      if (ref?.kind === 'served' && models.some((m) => m.name === ref.name)) actions.loadServed(ref.name);
      else if (ref) {
        const why =
          ref.kind === 'hub'
            ? `model ${ref.repo}@${ref.revision} comes from the Hub: press Load from Hub to download it`
            : ref.kind === 'local'
              ? `model ${ref.label} was a folder on the author's disk: pick or drop it`
              : `this server has no model ${ref.name}`;
        apply(store, urlProblemFound, why);
      }
    },
    (e: unknown) => apply(store, catalogLoaded, { state: 'error', reason: errorText(e) }),
  );

  // For the browser tests and the console: the page's own client and store.
  (globalThis as { __protolab?: Lab }).__protolab = { store, client, actions };
  return { store, client, actions };
}
