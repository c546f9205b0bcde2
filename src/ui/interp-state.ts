/**
 * The interpolate view's state (plain data) and its pure transitions from worker messages: the
 * selected pair, the linear and Bezier scans, the live Bezier training and the decoding at tau.
 */
import type { BezierSettings, FromWorker, PathKind, PathScanResult } from '../worker/protocol.ts';

export type PairView =
  | { state: 'none' }
  | { state: 'loading'; requestId: number; ids: [string, string] }
  | {
      state: 'ready';
      ids: [string, string];
      N: number;
      text: string;
      targetIds: number[];
      pieces: string[];
      decodedA: number[];
      decodedB: number[];
      a: Float64Array;
      b: Float64Array;
      distance: number;
      others: { id: string; point: Float64Array }[];
    }
  | { state: 'error'; ids: [string, string]; message: string };

export interface TrainingView {
  requestId: number;
  steps: number;
  /** Objective per reported step. */
  points: { step: number; loss: number }[];
  elapsedMs: number;
}

export interface TrainedCurve {
  control: Float64Array;
  losses: number[];
  lengthRatio: number;
  settings: BezierSettings;
  stopped: boolean;
  seconds: number;
  /** Where it came from: trained now, or read back from the curve store. */
  origin: 'trained' | 'saved';
}

export interface DecodedAtTau {
  tau: number;
  ids: number[];
  pieces: string[];
  loss: number;
  correct: number;
}

export interface InterpView {
  pair: PairView;
  scans: Partial<Record<PathKind, PathScanResult>>;
  /** The scan being computed, with its request id. */
  scanning: { kind: PathKind; requestId: number } | null;
  training: TrainingView | null;
  curve: TrainedCurve | null;
  /** The curve is kept with its pair in the curve store (IndexedDB). */
  curveSaved: boolean;
  /** The one-pass decoding at the slider's tau on each path. */
  decoded: Partial<Record<PathKind, DecodedAtTau>>;
  /** Request id of the latest decode asked for per path (older answers are dropped). */
  decodeRequest: Partial<Record<PathKind, number>>;
  error: string | null;
}

export const IDLE_INTERP: InterpView = { pair: { state: 'none' }, scans: {}, scanning: null, training: null, curve: null, curveSaved: false, decoded: {}, decodeRequest: {}, error: null };

const INTERP_OPS = new Set(['pathPair', 'pathScan', 'bezierTrain', 'bezierStop', 'pathDecode']);

/** A new pair is being set: everything about the old one goes. */
export function interpPairRequested(v: InterpView, requestId: number, ids: [string, string]): InterpView {
  return { ...IDLE_INTERP, pair: { state: 'loading', requestId, ids } };
}

export function interpPairRefused(v: InterpView, ids: [string, string], message: string): InterpView {
  return { ...IDLE_INTERP, pair: { state: 'error', ids, message } };
}

export function interpScanRequested(v: InterpView, kind: PathKind, requestId: number): InterpView {
  return { ...v, scanning: { kind, requestId }, error: null };
}

export function interpTrainRequested(v: InterpView, requestId: number, steps: number): InterpView {
  const scans = { ...v.scans };
  delete scans.bezier;
  const decoded = { ...v.decoded };
  delete decoded.bezier;
  return { ...v, decoded, training: { requestId, steps, points: [], elapsedMs: 0 }, curve: null, curveSaved: false, scans, error: null };
}

export function interpDecodeRequested(v: InterpView, kind: PathKind, requestId: number): InterpView {
  return { ...v, decodeRequest: { ...v.decodeRequest, [kind]: requestId } };
}

/** A curve read back from the store for this pair. */
export function interpCurveLoaded(v: InterpView, curve: TrainedCurve): InterpView {
  return { ...v, curve, curveSaved: true };
}

export function applyInterpMessage(v: InterpView, msg: FromWorker): InterpView {
  switch (msg.type) {
    case 'pathPaired': {
      if (v.pair.state !== 'loading' || v.pair.requestId !== msg.requestId) return v;
      const { N, text, ids, pieces, decodedA, decodedB, a, b, distance, others } = msg;
      return { ...v, pair: { state: 'ready', ids: v.pair.ids, N, text, targetIds: ids, pieces, decodedA, decodedB, a, b, distance, others } };
    }
    case 'pathScanned': {
      if (v.scanning?.requestId !== msg.requestId) return v;
      const { requestId: _r, type: _t, ...scan } = msg;
      return { ...v, scanning: null, scans: { ...v.scans, [msg.kind]: scan } };
    }
    case 'bezierProgress':
      if (v.training?.requestId !== msg.requestId) return v;
      return { ...v, training: { ...v.training, points: [...v.training.points, { step: msg.step, loss: msg.loss }], elapsedMs: msg.elapsedMs } };
    case 'bezierTrained':
      if (v.training?.requestId !== msg.requestId) return v;
      return {
        ...v,
        training: null,
        curve: { control: msg.control, losses: msg.losses, lengthRatio: msg.lengthRatio, settings: msg.settings, stopped: msg.stopped, seconds: msg.seconds, origin: 'trained' },
      };
    case 'pathDecoded':
      if (msg.requestId !== v.decodeRequest[msg.kind]) return v;
      return { ...v, decoded: { ...v.decoded, [msg.kind]: { tau: msg.tau, ids: msg.ids, pieces: msg.pieces, loss: msg.loss, correct: msg.correct } } };
    default:
      return v;
  }
}

/** The view after a worker error, or null when the error is not the interpolate view's. */
export function applyInterpError(v: InterpView, msg: Extract<FromWorker, { type: 'error' }>): InterpView | null {
  if (!INTERP_OPS.has(msg.op)) return null;
  const id = msg.requestId;
  if (msg.op === 'pathPair') {
    if (v.pair.state !== 'loading' || v.pair.requestId !== id) return v;
    return interpPairRefused(v, v.pair.ids, msg.message);
  }
  if (msg.op === 'pathScan' && v.scanning?.requestId === id) return { ...v, scanning: null, error: msg.message };
  if (msg.op === 'bezierTrain' && v.training?.requestId === id) return { ...v, training: null, error: msg.message };
  return { ...v, error: msg.message };
}
