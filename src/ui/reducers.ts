/** Pure state transitions: worker messages and user intents → the next LabState. */
import type { FromWorker } from '../worker/protocol.ts';
import { checkField, type LabSettings } from './url-state.ts';
import { applyExperimentError, applyExperimentMessage } from './experiments-state.ts';
import { applyGeometryError, applyGeometryMessage } from './geometry-state.ts';
import { applyInterpError, applyInterpMessage } from './interp-state.ts';
import { applyEncoderError, applyEncoderMessage, encoderModelReady } from './encoder-state.ts';
import { IDLE_RUN, runActive, type LabState, type ModelState, type RunView, type TokensView } from './state.ts';

/** Applies the valid fields of `patch`; returns the state unchanged (same object) if none changed. */
export function updateSettings(s: LabState, patch: Partial<LabSettings>): LabState {
  let next: LabSettings | null = null;
  for (const key of Object.keys(patch) as (keyof LabSettings)[]) {
    const value = patch[key];
    if (value === undefined || s.settings[key] === value || checkField(key, value) !== null) continue;
    next ??= { ...s.settings };
    (next as unknown as Record<string, unknown>)[key] = value;
  }
  return next ? { ...s, settings: next } : s;
}

export function modelLoading(s: LabState, ref: string, label: string): LabState {
  return {
    ...s,
    settings: { ...s.settings, model: ref },
    model: { state: 'loading', ref, label, phase: 'start', file: '', loaded: 0, total: 0 },
    tokens: { ...s.tokens, current: null },
    solution: { state: 'none' },
    deviceLost: null,
    error: null,
  };
}

export function tokenizeRequested(s: LabState, requestId: number, text: string): LabState {
  return { ...s, tokens: { ...s.tokens, pendingId: requestId, pendingText: text } };
}

/** Compress pressed: freeze the target and the settings of the run. */
export function runRequested(s: LabState, tokens: TokensView, modelLabel: string): LabState {
  const run: RunView = { ...IDLE_RUN, phase: 'starting', text: tokens.text, ids: tokens.ids, pieces: tokens.pieces, settings: s.settings, modelLabel };
  return { ...s, run, error: null };
}

export function solutionRequested(s: LabState, name: string, requestId: number): LabState {
  return { ...s, solution: { state: 'decoding', name, requestId } };
}

export function dismissError(s: LabState): LabState {
  return { ...s, error: null };
}

/** An error every view shows (the banner), e.g. a library write that failed. */
export function errorShown(s: LabState, message: string): LabState {
  return { ...s, error: message };
}

/** A solution file refused before the worker saw it (too big, unreadable). */
export function solutionRefused(s: LabState, name: string, message: string): LabState {
  return { ...s, solution: { state: 'error', name, message } };
}

export function gpuProbed(s: LabState, gpu: LabState['gpu']): LabState {
  return { ...s, gpu };
}

export function catalogLoaded(s: LabState, catalog: LabState['catalog']): LabState {
  return { ...s, catalog };
}

/** Something in the page's URL that could not be used, said once at start-up. */
export function urlProblemFound(s: LabState, why: string): LabState {
  return { ...s, urlProblems: [...s.urlProblems, why] };
}

/** After a device loss: the model the worker is loading again (nothing to reload if none was loaded). */
function modelReloading(model: ModelState): ModelState {
  if (model.state === 'ready') return { state: 'loading', ref: model.ref, label: model.info.label, phase: 'start', file: '', loaded: 0, total: 0 };
  if (model.state === 'loading') return { ...model, phase: 'start', file: '', loaded: 0, total: 0 };
  return model;
}

function modelFailed(model: ModelState, message: string): ModelState {
  if (model.state === 'loading') return { state: 'error', ref: model.ref, label: model.label, message };
  if (model.state === 'ready') return { state: 'error', ref: model.ref, label: model.info.label, message };
  return { state: 'error', ref: '', label: '', message };
}

export function applyWorkerMessage(s: LabState, msg: FromWorker): LabState {
  switch (msg.type) {
    case 'modelProgress':
      if (s.model.state !== 'loading') return s;
      return { ...s, model: { ...s.model, phase: msg.phase, file: msg.file, loaded: msg.loaded, total: msg.total } };
    case 'modelReady': {
      const ref = s.model.state === 'loading' || s.model.state === 'ready' || s.model.state === 'error' ? s.model.ref : msg.label;
      return { ...s, model: { state: 'ready', ref, info: msg }, encoder: encoderModelReady(s.encoder, msg.fingerprint) };
    }
    case 'tokens': {
      if (msg.requestId !== s.tokens.pendingId) return s;
      const { ids, pieces, maxTokens, tooLong, partial } = msg;
      return { ...s, tokens: { ...s.tokens, current: { text: s.tokens.pendingText, ids, pieces, maxTokens, tooLong, ...(partial ? { partial } : {}) }, error: null } };
    }
    case 'runState':
      if (!runActive(s.run.phase)) return s;
      return { ...s, run: { ...s.run, phase: msg.phase } };
    case 'progress': {
      if (!runActive(s.run.phase)) return s;
      const point = { step: msg.step, loss: msg.loss, bestLoss: msg.bestLoss, accuracy: msg.accuracy, bestAccuracy: msg.bestCorrect / msg.N };
      const prev = s.run.points;
      // A step taken while paused reports again; keep one point per step.
      const points = prev.length > 0 && prev[prev.length - 1].step >= msg.step ? [...prev.filter((p) => p.step < msg.step), point] : [...prev, point];
      const phase = s.run.phase === 'starting' ? 'running' : s.run.phase;
      return { ...s, run: { ...s.run, phase, points, latest: msg } };
    }
    case 'done':
      if (!runActive(s.run.phase)) return s;
      return { ...s, run: { ...s.run, phase: 'done', result: msg } };
    case 'decoded':
      if (s.solution.state !== 'decoding' || s.solution.requestId !== msg.requestId) return s;
      return { ...s, solution: { state: 'ready', decoded: msg } };
    case 'evaluated':
    case 'checkpoint': // kept in IndexedDB by the library controller, not in the state
      return s;
    case 'deviceLost':
      // The worker reloads the same model on a new device at once (engine.ts); the library
      // controller then resumes an interrupted run from its last checkpoint.
      return {
        ...s,
        deviceLost: msg.reason,
        model: modelReloading(s.model),
        run: runActive(s.run.phase)
          ? { ...s.run, phase: s.run.points.length > 0 ? 'done' : 'idle', error: 'The GPU device was lost during the run; it resumes from its last checkpoint once the model is reloaded.' }
          : s.run,
      };
    case 'error':
      return applyError(s, msg);
    case 'experimentProgress':
    case 'experimentRecords':
    case 'experimentDone':
    case 'throughputMeasured':
    case 'throughputProgress':
    case 'encoderEvalProgress':
    case 'encoderEvalDone':
      return { ...s, experiments: applyExperimentMessage(s.experiments, msg) };
    case 'geometryProgress':
    case 'geometryPartial':
    case 'geometryDone':
    case 'geometryCompared': {
      const geometry = applyGeometryMessage(s.geometry, msg);
      return geometry === s.geometry ? s : { ...s, geometry };
    }
    case 'hiddenEmbedded':
    case 'geometrySolutionFiles':
      return s;
    case 'encoderLoaded':
    case 'encoderPredicted': {
      const encoder = applyEncoderMessage(s.encoder, msg);
      return encoder === s.encoder ? s : { ...s, encoder };
    }
    case 'encoderStart':
      if (!runActive(s.run.phase)) return s;
      return { ...s, run: { ...s.run, encoderStart: { N: msg.N, initialCorrect: msg.initialCorrect } } };
    case 'pathPaired':
    case 'pathScanned':
    case 'bezierProgress':
    case 'bezierTrained':
    case 'pathDecoded': {
      const interp = applyInterpMessage(s.interp, msg);
      return interp === s.interp ? s : { ...s, interp };
    }
  }
}

/** Several messages in order, as one state change (the page batches progress reports). */
export function applyWorkerMessages(s: LabState, msgs: readonly FromWorker[]): LabState {
  return msgs.reduce(applyWorkerMessage, s);
}

function applyError(s: LabState, msg: Extract<FromWorker, { type: 'error' }>): LabState {
  const { message } = msg;
  const experiments = applyExperimentError(s.experiments, msg);
  if (experiments) return experiments === s.experiments ? s : { ...s, experiments };
  const geometry = applyGeometryError(s.geometry, msg);
  if (geometry) return geometry === s.geometry ? s : { ...s, geometry };
  const interp = applyInterpError(s.interp, msg);
  if (interp) return interp === s.interp ? s : { ...s, interp };
  const encoder = applyEncoderError(s.encoder, msg);
  if (encoder) return encoder === s.encoder ? s : { ...s, encoder };
  switch (msg.op) {
    case 'loadModel':
      return { ...s, model: modelFailed(s.model, message) };
    case 'tokenize':
      return msg.requestId === s.tokens.pendingId ? { ...s, tokens: { ...s.tokens, error: message } } : s;
    case 'start':
    case 'run':
      return { ...s, run: { ...s.run, phase: s.run.points.length > 0 ? 'done' : 'idle', error: message } };
    case 'decode':
      if (s.solution.state === 'decoding' && s.solution.requestId === msg.requestId) return { ...s, solution: { state: 'error', name: s.solution.name, message } };
      return { ...s, error: message };
    case 'worker':
      return { ...s, error: message, model: s.model.state === 'loading' ? modelFailed(s.model, message) : s.model };
    case 'checkSolution':
      // A refused import: the library controller shows it next to the file's name.
      return s;
    default:
      return { ...s, error: message };
  }
}
