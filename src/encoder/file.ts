/**
 * A trained encoder on disk (issue 19 §3): safetensors with the network's tensors (w1, b1 and, for
 * an MLP, w2, b2), the feature statistics (feature_mean, feature_std), the universal m trained with
 * it (tensor `m`; with an m head, which predicts each text's m too, the m it predicts for the mean
 * text), and metadata naming the model (fingerprint), the features, the text length and
 * the data it was trained on, so a file for another model is refused by name.
 */
import type { Model } from '../model/model.ts';
import { bytesSource, encodeSafetensors, readTensor, type ByteSource } from '../model/safetensors.ts';
import { checkSolutionFits, finiteVector, LAB_VERSION, metadataNumber, readLabFileHeader, SolutionFileError } from '../prototokens/solution-file.ts';
import { featureWidth, POOLS, type FeatureSpec, type FeatureStats, type Pool } from './features.ts';
import { hasMHead, paramLayout, type EncoderShape } from './net.ts';

export const ENCODER_FORMAT = 'protolab-encoder/1';

export interface EncoderMeta {
  model: string;
  modelFingerprint: string;
  hidden: number;
  /** Where the training texts came from, how many, and how many were held out to measure it. */
  source: string;
  texts: number;
  heldOut: number;
  steps: number;
  batch: number;
  /** The encoder's learning rate, and m's (the paper's optimiser) when m trained with it. */
  lr: number;
  mLr: number;
  freezeM: boolean;
  /** λ of the L2 penalty on the predicted vectors during training. */
  normPenalty: number;
  seed: number;
  /** One-pass accuracy of the prediction with m (mean correct fraction) on the last training batches and on the held-out texts. */
  trainAccuracy: number;
  heldOutAccuracy: number;
  createdAt: string;
  labVersion: string;
}

/** What predicting needs; a file adds the metadata. */
export type EncoderParts = Omit<Encoder, 'meta'>;

export interface Encoder {
  shape: EncoderShape;
  features: FeatureSpec;
  stats: FeatureStats;
  /** The network's parameters, laid out as net.ts paramLayout says. */
  theta: Float32Array;
  /** The universal m the encoder was trained against. */
  m: Float32Array;
  meta: EncoderMeta;
}

/** The named tensors of θ (net.ts layout) with their shapes. */
function pieces(s: EncoderShape): { name: string; shape: number[]; offset: number; size: number }[] {
  const L = paramLayout(s);
  const first = s.hiddenWidth > 0 ? s.hiddenWidth : s.outWidth;
  const out = [
    { name: 'w1', shape: [s.inWidth, first], ...L.w1 },
    { name: 'b1', shape: [first], ...L.b1 },
  ];
  if (L.w2 && L.b2) out.push({ name: 'w2', shape: [s.hiddenWidth, s.outWidth], ...L.w2 }, { name: 'b2', shape: [s.outWidth], ...L.b2 });
  return out;
}

export function encodeEncoder(enc: Encoder): Uint8Array {
  const md = enc.meta;
  const f = enc.features;
  return encodeSafetensors(
    [
      ...pieces(enc.shape).map((p) => ({ name: p.name, shape: p.shape, data: enc.theta.subarray(p.offset, p.offset + p.size) })),
      { name: 'feature_mean', shape: [enc.stats.mean.length], data: enc.stats.mean },
      { name: 'feature_std', shape: [enc.stats.std.length], data: enc.stats.std },
      { name: 'm', shape: [enc.m.length], data: enc.m },
    ],
    {
      format: ENCODER_FORMAT,
      model: md.model,
      model_fingerprint: md.modelFingerprint,
      hidden_size: String(md.hidden),
      length: String(f.length),
      layer: String(f.layer),
      pool: f.pool,
      bos: f.bos === null ? 'none' : String(f.bos),
      hidden_width: String(enc.shape.hiddenWidth),
      predicts_m: String(hasMHead(enc.shape, enc.m.length)),
      source: md.source,
      texts: String(md.texts),
      held_out: String(md.heldOut),
      steps: String(md.steps),
      batch: String(md.batch),
      lr: String(md.lr),
      m_lr: String(md.mLr),
      freeze_m: String(md.freezeM),
      norm_penalty: String(md.normPenalty),
      seed: String(md.seed),
      train_accuracy: String(md.trainAccuracy),
      held_out_accuracy: String(md.heldOutAccuracy),
      created_at: md.createdAt,
      lab_version: md.labVersion,
    },
  );
}

/** An encoder file, checked to be one, to be whole, and to belong to `model`. */
export async function decodeEncoder(src: ByteSource, model: Model): Promise<Encoder> {
  const header = await readLabFileHeader(src, ENCODER_FORMAT, { what: 'encoder', aKind: 'an encoder', makeWith: 'protolab encoder train' });
  const md = header.metadata;
  const num = (k: string): number => metadataNumber(md, k, src.describe);
  const hidden = num('hidden_size');
  checkSolutionFits({ model: md.model ?? '', modelFingerprint: md.model_fingerprint ?? '', hidden }, model, 'encoder');
  if (!(POOLS as readonly string[]).includes(md.pool ?? '')) throw new SolutionFileError(`${src.describe}: pool "${md.pool}" is not one of ${POOLS.join(', ')}.`);
  const features: FeatureSpec = { layer: num('layer'), pool: md.pool as Pool, length: num('length'), bos: md.bos === 'none' ? null : num('bos') };
  if (features.layer > model.spec.layers) throw new SolutionFileError(`${src.describe} reads layer ${features.layer}, but this model has layers 0..${model.spec.layers}.`);
  const predictsM = md.predicts_m === 'true';
  const shape: EncoderShape = { inWidth: featureWidth(features, hidden), hiddenWidth: num('hidden_width'), outWidth: predictsM ? 2 * hidden : hidden };
  const theta = new Float32Array(paramLayout(shape).total);
  const tensor = async (name: string, want: number[]): Promise<Float32Array> => {
    const info = header.tensors.get(name);
    if (!info || info.shape.join('x') !== want.join('x')) {
      throw new SolutionFileError(`${src.describe}: tensor ${name} should have shape [${want.join(', ')}] but ${info ? `has [${info.shape.join(', ')}]` : 'is missing'}; the file is damaged or from another version.`);
    }
    return finiteVector(src.describe, name, await readTensor(src, info));
  };
  for (const p of pieces(shape)) theta.set(await tensor(p.name, p.shape), p.offset);
  const F = shape.inWidth;
  const stats = { mean: await tensor('feature_mean', [F]), std: await tensor('feature_std', [F]) };
  if (stats.std.some((s) => !(s > 0))) throw new SolutionFileError(`${src.describe}: feature_std must be positive everywhere.`);
  const meta: EncoderMeta = {
    model: md.model ?? '',
    modelFingerprint: md.model_fingerprint ?? '',
    hidden,
    source: md.source ?? '',
    texts: num('texts'),
    heldOut: num('held_out'),
    steps: num('steps'),
    batch: num('batch'),
    lr: num('lr'),
    mLr: num('m_lr'),
    freezeM: md.freeze_m === 'true',
    // Files written before the penalty existed trained without one.
    normPenalty: md.norm_penalty === undefined ? 0 : num('norm_penalty'),
    seed: num('seed'),
    trainAccuracy: num('train_accuracy'),
    heldOutAccuracy: num('held_out_accuracy'),
    createdAt: md.created_at ?? '',
    labVersion: md.lab_version ?? '',
  };
  return { shape, features, stats, theta, m: await tensor('m', [hidden]), meta };
}

export function decodeEncoderBytes(bytes: Uint8Array, name: string, model: Model): Promise<Encoder> {
  return decodeEncoder(bytesSource(bytes, name), model);
}

export function encoderMeta(model: Model, o: Omit<EncoderMeta, 'model' | 'modelFingerprint' | 'hidden' | 'createdAt' | 'labVersion'>): EncoderMeta {
  return { model: model.id, modelFingerprint: model.fingerprint, hidden: model.spec.hidden, ...o, createdAt: new Date().toISOString(), labVersion: LAB_VERSION };
}
