/**
 * The interpolation panel's messages (issue 5 §2), kept apart from the compression messages;
 * protocol.ts joins them into ToWorker / FromWorker and re-exports them. A pair is set once
 * (both solutions' bytes), then scanned, joined by a trained Bezier curve and decoded at any tau.
 * Control points travel as Float64Array ([e | m] of width 2·hidden); null means the straight segment.
 */
import type { BezierSettings } from '../shared/bezier-settings.ts';

export type { BezierSettings };

export type PathKind = 'linear' | 'bezier';

export type InterpToWorker =
  /** Decodes and checks both solutions (same model as loaded, same text and layout) and keeps them as the current pair. */
  | { type: 'pathPair'; requestId: number; a: ArrayBuffer; b: ArrayBuffer; names: [string, string]; others?: { id: string; bytes: ArrayBuffer }[] }
  /** Loss and accuracy at `resolution` evenly spaced tau along the current pair's path. */
  | { type: 'pathScan'; requestId: number; kind: PathKind; control: Float64Array | null; resolution: number }
  /** Trains a control point for the current pair with live 'bezierProgress'. */
  | { type: 'bezierTrain'; requestId: number; settings: BezierSettings }
  | { type: 'bezierStop' }
  /** The one-pass decoding at one tau of the current pair's path. */
  | { type: 'pathDecode'; requestId: number; kind: PathKind; control: Float64Array | null; tau: number };

export interface PathScanResult {
  kind: PathKind;
  tau: number[];
  loss: number[];
  accuracy: number[];
  /** Mean loss along tau (trapezoid rule over the grid). */
  meanLoss: number;
  /** Curve length over segment length (1 for the segment). */
  lengthRatio: number;
}

export type InterpFromWorker =
  | {
      type: 'pathPaired';
      requestId: number;
      N: number;
      text: string;
      /** The text's tokens and their display strings (both endpoints encode this text). */
      ids: number[];
      pieces: string[];
      /** Each endpoint's own one-pass decoding (its "text" for the agreement colours). */
      decodedA: number[];
      decodedB: number[];
      /** Flat [e | m] of both endpoints, for the 2-D view. */
      a: Float64Array;
      b: Float64Array;
      distance: number;
      /** Flat [e | m] of the other solutions sent along (same model; unreadable ones are left out). */
      others: { id: string; point: Float64Array }[];
    }
  | ({ type: 'pathScanned'; requestId: number } & PathScanResult)
  | { type: 'bezierProgress'; requestId: number; step: number; steps: number; loss: number; elapsedMs: number }
  | { type: 'bezierTrained'; requestId: number; control: Float64Array; losses: number[]; lengthRatio: number; stopped: boolean; settings: BezierSettings; seconds: number }
  | { type: 'pathDecoded'; requestId: number; kind: PathKind; tau: number; ids: number[]; pieces: string[]; loss: number; correct: number };
