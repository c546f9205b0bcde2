/**
 * Using a trained encoder: texts → features → e, and the one-pass accuracy of [e, m, ..., m] with
 * its universal m (the prediction before any optimisation step: `initial_accuracy`).
 */
import { Program } from '../gpu/program.ts';
import type { Model } from '../model/model.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import { scoreVectors } from '../prototokens/universal-m.ts';
import type { ProtoVectors } from '../prototokens/trainer.ts';
import { standardise, textFeatures } from './features.ts';
import { EncoderNet, hasMHead } from './net.ts';
import type { EncoderParts } from './file.ts';

/** Texts per encoder pass. */
const CHUNK = 256;

/** The encoder's standardised features [K·F] of K texts of its length. */
export async function encoderFeatures(model: Model, enc: EncoderParts, texts: readonly (readonly number[])[]): Promise<Float32Array> {
  for (const t of texts) {
    if (t.length !== enc.features.length) throw new Error(`This encoder was trained on texts of ${enc.features.length} tokens; a text of ${t.length} tokens needs an encoder for that length (protolab encoder train --length ${t.length}).`);
  }
  return standardise(await textFeatures(model, texts, enc.features), enc.stats);
}

/** The network's output for each of K texts from their standardised features [K·F], on the GPU: e, or e | m with an m head. */
export async function predictFromFeatures(model: Model, enc: EncoderParts, X: Float32Array): Promise<Float32Array[]> {
  const { gpu } = model;
  const F = enc.shape.inWidth;
  const w = enc.shape.outWidth;
  const K = X.length / F;
  const out: Float32Array[] = [];
  for (let k0 = 0; k0 < K; k0 += CHUNK) {
    const B = Math.min(CHUNK, K - k0);
    const net = new EncoderNet(gpu, enc.shape, B, enc.theta, false);
    const x = gpu.createTensor([B, F], 'f32', 'encoder.features');
    const e = gpu.createTensor([B, w], 'f32', 'encoder.out');
    const p = new Program(gpu, 'encoder.predict');
    try {
      gpu.write(x, X.subarray(k0 * F, (k0 + B) * F));
      net.recordForward(p, x, e);
      p.run();
      const all = await gpu.read(e);
      for (let b = 0; b < B; b++) out.push(all.slice(b * w, (b + 1) * w));
    } finally {
      p.destroy();
      net.destroy();
      gpu.destroyTensor(x);
      gpu.destroyTensor(e);
    }
  }
  return out;
}

/** An encoder with an m head predicts both vectors (its output is e | m); otherwise m is its universal m. */
export function predictsM(enc: Pick<EncoderParts, 'shape' | 'm'>): boolean {
  return hasMHead(enc.shape, enc.m.length);
}

/** The encoder's starting vectors for each text. */
export async function predictVectors(model: Model, enc: EncoderParts, texts: readonly (readonly number[])[]): Promise<ProtoVectors[]> {
  const outs = await predictFromFeatures(model, enc, await encoderFeatures(model, enc, texts));
  const d = enc.m.length;
  return outs.map((o) => (predictsM(enc) ? { e: o.slice(0, d), m: o.slice(d) } : { e: o, m: enc.m }));
}

export interface Prediction extends ProtoVectors {
  /** Tokens right in one pass of [e, m, ..., m], and that pass's loss (nats, summed). */
  correct: number;
  loss: number;
  /** The argmax at every scored position: the reconstruction the prediction alone gives. */
  argmax: number[];
}

/** Each text's predicted vectors, scored in one forward pass (the layout of `settings`). */
export async function predictAndScore(model: Model, enc: EncoderParts, texts: number[][], settings: ProtoSettings): Promise<Prediction[]> {
  const vs = await predictVectors(model, enc, texts);
  const rep = await scoreVectors(model, texts, vs, settings);
  return vs.map((v, t) => ({ ...v, correct: rep.correct[t], loss: rep.loss[t], argmax: rep.argmax[t] }));
}
