/** The UI's whole state, as plain data: what the store holds and the reducers transform. */
import { INITIAL_LIBRARY, type LibraryState } from './library-state.ts';
import type { FromWorker, LoadPhase, RunPhase as WorkerRunPhase } from '../worker/protocol.ts';
import { DEFAULT_SETTINGS, type LabSettings } from './url-state.ts';
import { IDLE_GEOMETRY, type GeometryView } from './geometry-state.ts';
import { IDLE_EXPERIMENTS, type ExperimentsView } from './experiments-state.ts';
import { IDLE_INTERP, type InterpView } from './interp-state.ts';
import { IDLE_ENCODER, type EncoderView } from './encoder-state.ts';

export type GpuProbe =
  | { state: 'checking' }
  | { state: 'unavailable'; reason: string }
  | { state: 'ready'; info: { vendor: string; architecture: string; device: string; description: string }; fallback: boolean; features: string[] };

export interface CatalogEntry {
  name: string;
  files: string[];
  bytes: number;
}

export type Catalog = { state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; models: CatalogEntry[] };

export type ModelReady = Extract<FromWorker, { type: 'modelReady' }>;

export type ModelState =
  | { state: 'none' }
  | { state: 'loading'; ref: string; label: string; phase: LoadPhase | 'start'; file: string; loaded: number; total: number }
  | { state: 'ready'; ref: string; info: ModelReady }
  | { state: 'error'; ref: string; label: string; message: string };

export interface TokensView {
  text: string;
  ids: number[];
  pieces: string[];
  maxTokens: number;
  tooLong: boolean;
  /** Only a prefix was tokenized: the text has more than maxTokens tokens, how many more is unknown. */
  partial?: boolean;
}

export interface TokensState {
  /** requestId of the latest tokenize sent; older answers are dropped. */
  pendingId: number;
  /**
   * The text that request carried, the very string of the settings: an answer's view holds it, so
   * "are these the tokens of the shown text?" is one reference comparison, even for a pasted book.
   */
  pendingText: string;
  current: TokensView | null;
  error: string | null;
}

export type Progress = Extract<FromWorker, { type: 'progress' }>;
export type Done = Extract<FromWorker, { type: 'done' }>;
export type Decoded = Extract<FromWorker, { type: 'decoded' }>;

export interface ProgressPoint {
  step: number;
  loss: number;
  bestLoss: number;
  /** Fractions in [0, 1]. */
  accuracy: number;
  bestAccuracy: number;
}

export type RunPhase = 'idle' | 'starting' | WorkerRunPhase | 'done';

export interface RunView {
  phase: RunPhase;
  /** The target text of the run (frozen at Compress). */
  text: string;
  ids: number[];
  pieces: string[];
  settings: LabSettings;
  modelLabel: string;
  points: ProgressPoint[];
  latest: Progress | null;
  result: Done | null;
  error: string | null;
  /** Set when the run started from the encoder's prediction: what that start got right before any step. */
  encoderStart?: { N: number; initialCorrect: number };
  /** The text's H_LM in nats (shared/text-entropy.ts), asked of the worker once per run (run-entropy.ts); null until it answers. */
  hLm: number | null;
}

export type SolutionState =
  | { state: 'none' }
  | { state: 'decoding'; name: string; requestId: number }
  | { state: 'ready'; decoded: Decoded }
  | { state: 'error'; name: string; message: string };

export interface LabState {
  settings: LabSettings;
  /** What the URL asked for that could not be used. */
  urlProblems: string[];
  gpu: GpuProbe;
  catalog: Catalog;
  model: ModelState;
  tokens: TokensState;
  run: RunView;
  solution: SolutionState;
  deviceLost: string | null;
  /** The experiments view: a running sweep, stored results, throughput measurements. */
  experiments: ExperimentsView;
  /** The interpolate view: the pair of solutions, its scans, the Bezier curve and the decoding at tau. */
  interp: InterpView;
  /** The geometry view: the Figs. 5-7 experiment's progress and results. */
  geometry: GeometryView;
  /** The solution library (IndexedDB): record summaries, interrupted runs, selection, last import. */
  library: LibraryState;
  /** The encoder file loaded for the model, and its prediction of the text (encoder-state.ts). */
  encoder: EncoderView;
  /** The latest error not shown by a panel of its own. */
  error: string | null;
}

export const IDLE_RUN: RunView = {
  phase: 'idle',
  text: '',
  ids: [],
  pieces: [],
  settings: DEFAULT_SETTINGS,
  modelLabel: '',
  points: [],
  latest: null,
  result: null,
  error: null,
  hLm: null,
};

export function initialState(settings: LabSettings = DEFAULT_SETTINGS, urlProblems: string[] = []): LabState {
  return {
    settings,
    urlProblems,
    gpu: { state: 'checking' },
    catalog: { state: 'loading' },
    model: { state: 'none' },
    tokens: { pendingId: 0, pendingText: '', current: null, error: null },
    run: IDLE_RUN,
    solution: { state: 'none' },
    deviceLost: null,
    geometry: IDLE_GEOMETRY,
    experiments: IDLE_EXPERIMENTS,
    interp: IDLE_INTERP,
    library: INITIAL_LIBRARY,
    encoder: IDLE_ENCODER,
    error: null,
  };
}

/** A run is using the engine (buttons other than pause/resume/step/stop are locked). */
export function runActive(phase: RunPhase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'paused' || phase === 'stopping' || phase === 'finishing';
}
