/**
 * The worker's loaded encoder (issue 19 §5): one at a time, decoded against the loaded model, used
 * to predict the page's text and to start compress runs from that prediction. The encoder holds
 * only CPU arrays (its network is uploaded per prediction), so it outlives a lost GPU device; a
 * model of another fingerprint drops it, as its file would be refused there.
 */
import type { Model } from '../model/model.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { decodeEncoderBytes, type Encoder } from '../encoder/file.ts';
import { predictAndScore, predictsM } from '../encoder/predict.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import type { EncoderFromWorker, EncoderInfo, EncoderToWorker } from './encoder-protocol.ts';
import type { EncoderFrom } from './run-method.ts';

type Post = (msg: EncoderFromWorker) => void;

interface LoadedModel {
  model: Model;
  tokenizer: Tokenizer;
}

/** What the page is told about an encoder: its file's description. */
export function encoderInfo(enc: Encoder): EncoderInfo {
  const { meta, features } = enc;
  return {
    N: features.length,
    model: meta.model,
    modelFingerprint: meta.modelFingerprint,
    layer: features.layer,
    pool: features.pool,
    predictsM: predictsM(enc),
    source: meta.source,
    texts: meta.texts,
    heldOut: meta.heldOut,
    steps: meta.steps,
    trainAccuracy: meta.trainAccuracy,
    heldOutAccuracy: meta.heldOutAccuracy,
  };
}

export class EncoderHost {
  private current: Encoder | null = null;

  constructor(private readonly post: Post) {}

  get loaded(): Encoder | null {
    return this.current;
  }

  /** A new file replaces the loaded encoder; a refused one leaves none (the page shows the refusal, not an older file). */
  async load({ model }: LoadedModel, msg: Extract<EncoderToWorker, { type: 'loadEncoder' }>): Promise<void> {
    this.current = null;
    const enc = await decodeEncoderBytes(new Uint8Array(msg.bytes), msg.name, model);
    this.current = enc;
    this.post({ type: 'encoderLoaded', requestId: msg.requestId, name: msg.name, info: encoderInfo(enc) });
  }

  unload(): void {
    this.current = null;
  }

  /** After a model load: an encoder made for another model cannot stay (the page drops it by the same rule). */
  modelChanged(model: Pick<Model, 'fingerprint'>): void {
    if (this.current && this.current.meta.modelFingerprint !== model.fingerprint) this.current = null;
  }

  async predict({ model, tokenizer }: LoadedModel, msg: Extract<EncoderToWorker, { type: 'encoderPredict' }>): Promise<void> {
    const enc = this.require(msg.ids);
    const [p] = await predictAndScore(model, enc, [msg.ids], msg.settings);
    this.post({
      type: 'encoderPredicted',
      requestId: msg.requestId,
      ids: msg.ids,
      text: tokenizer.decode(msg.ids),
      argmax: p.argmax,
      decodedText: tokenizer.decode(p.argmax),
      correct: p.correct,
      loss: p.loss,
    });
  }

  /**
   * A run's start from the prediction, checked now (no encoder, a wrong length: the start is
   * refused at once) and computed when the run begins. The encoder is taken now, so unloading it
   * meanwhile does not change the run.
   */
  runStart(model: Model, ids: readonly number[], settings: ProtoSettings): () => Promise<EncoderFrom> {
    const enc = this.require(ids);
    return async () => {
      const [p] = await predictAndScore(model, enc, [[...ids]], settings);
      return { initialCorrect: p.correct, vectors: { e: p.e, m: p.m } };
    };
  }

  private require(ids: readonly number[]): Encoder {
    const enc = this.current;
    if (!enc) throw new Error('No encoder is loaded: load an encoder file in the Compress view first.');
    const N = enc.features.length;
    if (ids.length !== N) throw new Error(`This encoder reads texts of exactly ${N} tokens and got ${ids.length}; give it ${N} tokens (a longer text is cut to its first ${N} by the page).`);
    return enc;
  }
}
