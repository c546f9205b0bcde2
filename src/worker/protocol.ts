/**
 * The typed message protocol between the UI (main thread) and the engine worker: the only bridge
 * between them. Every message is a discriminated union member with a `type` field. Requests that
 * expect one answer (tokenize, evaluate, decode) carry a `requestId` the answer echoes; errors
 * caused by a request echo it too, so the client can reject the right promise.
 *
 * It holds message types only (and the two functions every message passes through: which reply
 * answers a request, which buffers are transferred). The rules both sides share (settings,
 * layouts, the job rule, the experiment spec) are pure modules in src/shared/; the UI imports
 * those, never the engine (test/ui/boundary.test.ts checks the whole import closure).
 */
import type { WeightChoice, WeightFormat } from '../model/weight-format.ts';
import type { ModelMemory } from '../prototokens/memory-plan.ts';
export type { FormatMemory, ModelMemory } from '../prototokens/memory-plan.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import type { FirstTarget, LayoutName } from '../shared/layouts.ts';
import type { SolutionMeta } from '../prototokens/solution-file.ts';
import type { TrainerSnapshot } from '../prototokens/input-trainer.ts';
import type { StoppedBy } from '../prototokens/optimise.ts';
import type { RunMethod } from '../shared/run-method.ts';
import type { MemorySolutionMeta } from '../memory/solution-file.ts';
import type { ExperimentFromWorker, ExperimentToWorker } from './experiment-protocol.ts';
export type * from './experiment-protocol.ts';
import type { GeometryFromWorker, GeometryToWorker } from './geometry-protocol.ts';
export type * from './geometry-protocol.ts';
import type { InterpFromWorker, InterpToWorker } from './interp-protocol.ts';
export type * from './interp-protocol.ts';
import type { EncoderFromWorker, EncoderRunStart, EncoderToWorker } from './encoder-protocol.ts';
export type * from './encoder-protocol.ts';

// ---------------------------------------------------------------- UI → worker

export type ModelSourceSpec =
  | { kind: 'url'; url: string }
  | { kind: 'hub'; repo: string; revision: string }
  | { kind: 'files'; files: File[] };

export type ToWorker =
  /** weights: the storage format (default the checkpoint's own precision; `auto` plans for PLAN_TOKENS tokens). */
  | { type: 'loadModel'; source: ModelSourceSpec; label?: string; weights?: WeightChoice }
  /** `method` (default one-shot) sets the longest text the run can take. */
  | { type: 'tokenize'; requestId: number; text: string; layout: LayoutName; firstTarget: FirstTarget; method?: RunMethod }
  /**
   * `begin`: 'run' (default), 'paused' (wait for resume or step), or 'step' (take one step, then pause).
   * `from`: 'encoder' starts e and m from the loaded encoder's prediction (ids: exactly its N tokens) instead of the seeded draw.
   */
  | { type: 'start'; ids: number[]; text: string; settings: ProtoSettings; method?: RunMethod; begin?: 'run' | 'paused' | 'step'; resume?: RunCheckpoint; from?: 'encoder' }
  | { type: 'pause' }
  | { type: 'resume' }
  /** One step while paused (report, stay paused); while running it pauses at the next report. */
  | { type: 'step' }
  | { type: 'stop' }
  | { type: 'decode'; requestId: number; bytes: ArrayBuffer; name: string }
  /** Like decode, for files coming into the library: a refusal (damaged file, other model) is only the requester's. */
  | { type: 'checkSolution'; requestId: number; bytes: ArrayBuffer; name: string }
  | { type: 'evaluate'; requestId: number; ids: number[] }
  /** Destroys the worker's GPU device, as a driver reset would: drills and tests of the recovery. */
  | { type: 'loseDevice' }
  | GeometryToWorker
  | ExperimentToWorker
  | InterpToWorker
  | EncoderToWorker;

/**
 * A running optimisation's whole state, posted every few seconds (and on pause) so the page can
 * keep it in IndexedDB; a 'start' with `resume` continues it on the same trajectory as if it had
 * never stopped. ids, text and settings are the run's own (a resume uses these, not the page's).
 */
export interface RunCheckpoint {
  modelId: string;
  modelFingerprint: string;
  modelLabel: string;
  ids: number[];
  text: string;
  settings: ProtoSettings;
  /** Absent in checkpoints written before memory-token runs: one-shot. */
  method?: RunMethod;
  /** The weight format the run trains against; absent in checkpoints written before formats: f32. */
  weightFormat?: WeightFormat;
  /** Present when the run started from an encoder's prediction (its solution records init 'encoder'). */
  encoder?: EncoderRunStart;
  /** Steps done (= state.step). */
  step: number;
  /** Running time so far, pauses excluded. */
  elapsedMs: number;
  /** The last step that gained a correct token (the patience rule counts from it). */
  bestGainStep: number;
  bestCorrect: number;
  state: TrainerSnapshot;
}

// ---------------------------------------------------------------- worker → UI

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  cpuEmulated: boolean;
}

export interface ModelSummary {
  arch: string;
  /** The checkpoint's model_type ('llama', 'qwen3', 'gemma3_text', ...). */
  family: string;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  maxPositions: number;
  parameterCount: number;
  bosTokenId: number | null;
}

export type LoadPhase = 'download' | 'upload';

export type RunPhase = 'running' | 'paused' | 'stopping' | 'finishing';

export type FromWorker =
  | { type: 'modelProgress'; label: string; phase: LoadPhase; file: string; loaded: number; total: number }
  | { type: 'modelReady'; id: string; label: string; fingerprint: string; spec: ModelSummary; adapter: AdapterSummary; seconds: number; memory: ModelMemory }
  /** partial: only a prefix was tokenized (ids are its tokens), the whole text being surely over maxTokens (tokenize-bounded.ts). */
  // No echo of the text: the page knows what it asked for (a pasted book would cross twice).
  | { type: 'tokens'; requestId: number; ids: number[]; pieces: string[]; maxTokens: number; tooLong: boolean; partial?: boolean }
  | { type: 'runState'; phase: RunPhase; step: number }
  | { type: 'checkpoint'; checkpoint: RunCheckpoint }
  | {
      type: 'progress';
      step: number;
      N: number;
      /** Loss (nats, summed over the N positions) and correct tokens of the current parameters. */
      loss: number;
      accuracy: number;
      cTokens: number;
      /** Best so far (the kept solution). */
      bestCorrect: number;
      bestLoss: number;
      stepsPerSec: number;
      /** Time spent running, pauses excluded. */
      elapsedMs: number;
      /** One-pass argmax of the current parameters at every text position, and its text. */
      argmax: number[];
      decodedText: string;
    }
  | {
      type: 'done';
      /** The .safetensors solution (transferred), or null when no step was taken. */
      solution: ArrayBuffer | null;
      fileName: string;
      /** The solution's metadata: a one-shot run's (kept in the library), or a memory-token run's (K set; offered for saving only). */
      meta: SolutionMeta | MemorySolutionMeta | null;
      /** One-pass decoding of the kept (best) vectors. */
      decodedIds: number[];
      decodedText: string;
      stoppedBy: StoppedBy;
      steps: number;
      seconds: number;
    }
  | {
      type: 'decoded';
      requestId: number;
      name: string;
      meta: SolutionMeta;
      ids: number[];
      pieces: string[];
      text: string;
      cTokens: number;
    }
  | { type: 'evaluated'; requestId: number; ids: number[]; nll: number[]; argmax: number[]; hLm: number }
  | { type: 'error'; message: string; op: ToWorker['type'] | 'run' | 'worker'; requestId?: number }
  | { type: 'deviceLost'; reason: string }
  | GeometryFromWorker
  | ExperimentFromWorker
  | InterpFromWorker
  | EncoderFromWorker;

/** Requests with exactly one answer, and the answer's type. */
export interface ReplyTypes {
  tokenize: 'tokens';
  evaluate: 'evaluated';
  decode: 'decoded';
  checkSolution: 'decoded';
  hiddenEmbed: 'hiddenEmbedded';
  pathPair: 'pathPaired';
  pathScan: 'pathScanned';
  bezierTrain: 'bezierTrained';
  pathDecode: 'pathDecoded';
  geometrySolutions: 'geometrySolutionFiles';
  loadEncoder: 'encoderLoaded';
  encoderPredict: 'encoderPredicted';
}
/** The same table at run time (the client matches each answer to its request by id and type). */
export const REPLY_TYPES: ReplyTypes = {
  tokenize: 'tokens',
  evaluate: 'evaluated',
  decode: 'decoded',
  checkSolution: 'decoded',
  hiddenEmbed: 'hiddenEmbedded',
  pathPair: 'pathPaired',
  pathScan: 'pathScanned',
  bezierTrain: 'bezierTrained',
  pathDecode: 'pathDecoded',
  geometrySolutions: 'geometrySolutionFiles',
  loadEncoder: 'encoderLoaded',
  encoderPredict: 'encoderPredicted',
};
export type RequestType = keyof ReplyTypes;
export type RequestOf<T extends RequestType> = Extract<ToWorker, { type: T }>;
export type ReplyOf<T extends RequestType> = Extract<FromWorker, { type: ReplyTypes[T] }>;

/** What must be transferred (not copied) with a message. */
export function transferablesOf(msg: ToWorker | FromWorker): Transferable[] {
  if (msg.type === 'decode' || msg.type === 'checkSolution' || msg.type === 'loadEncoder') return [msg.bytes];
  if (msg.type === 'throughput' || msg.type === 'encoderEval') return [msg.bytes];
  if (msg.type === 'pathPair') return [msg.a, msg.b, ...(msg.others ?? []).map((o) => o.bytes)];
  if (msg.type === 'done' && msg.solution) return [msg.solution];
  if (msg.type === 'checkpoint') {
    const st = msg.checkpoint.state;
    return [st.params, st.adamM, st.adamV, st.bestCorrect, st.bestLoss, st.bestStep, st.bestParams].map((a) => a.buffer as ArrayBuffer);
  }
  return [];
}
