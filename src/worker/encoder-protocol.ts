/**
 * The encoder's part of the worker protocol (issue 19 §5): the page hands the worker an encoder
 * file, asks for its prediction of the text on the page, and a compress run may start from that
 * prediction. The encoder itself (its network, its e and m) never leaves the worker: the page sees
 * what the file says about itself and what the prediction reconstructs.
 */
import type { ProtoSettings } from '../shared/run-settings.ts';

/** What the page shows of a loaded encoder: its file's description, never its weights. */
export interface EncoderInfo {
  /** The token length N it encodes: a text is cut to its first N tokens, a shorter one cannot be encoded. */
  N: number;
  /** The model it was made with (its id) and that model's fingerprint. */
  model: string;
  modelFingerprint: string;
  /** Its features: which hidden layer, pooled how. */
  layer: number;
  pool: string;
  /** Whether it predicts each text's m too (an m head), or gives every text its one universal m. */
  predictsM: boolean;
  /** What it was trained on, how long, and how well its prediction alone did there. */
  source: string;
  texts: number;
  heldOut: number;
  steps: number;
  trainAccuracy: number;
  heldOutAccuracy: number;
}

export type EncoderToWorker =
  /** Decode an encoder file against the loaded model (another model's file is refused by name); it replaces the one loaded. */
  | { type: 'loadEncoder'; requestId: number; bytes: ArrayBuffer; name: string }
  | { type: 'unloadEncoder' }
  /** The loaded encoder's prediction for exactly N token ids, scored in one pass with its m (the layout of `settings`). */
  | { type: 'encoderPredict'; requestId: number; ids: number[]; settings: ProtoSettings };

export type EncoderFromWorker =
  | { type: 'encoderLoaded'; requestId: number; name: string; info: EncoderInfo }
  | {
      type: 'encoderPredicted';
      requestId: number;
      /** The ids predicted for, and their text (a cut text's first N tokens read back). */
      ids: number[];
      text: string;
      /** One pass of [e, m, ..., m] before any step: the token at every position, how many are right, the loss (nats, summed). */
      argmax: number[];
      decodedText: string;
      correct: number;
      loss: number;
    }
  /** A run (or a resumed one) starts from the encoder's prediction: what it got right before any step. */
  | { type: 'encoderStart'; N: number; initialCorrect: number };

/** A run's start from the encoder, kept in its checkpoints: a resumed run is still one from the encoder. */
export interface EncoderRunStart {
  initialCorrect: number;
}
