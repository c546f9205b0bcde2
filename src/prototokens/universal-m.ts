/**
 * A universal m (issue 19 §2): one m trained jointly over many texts, each with an e of its own,
 * then reused for texts it never saw (`compress --m FILE`, frozen or as a start). Table 2 of the
 * paper shares m within small groups; this is the same machinery (problem.ts, share 'm') with
 * every text in one group.
 *
 * File: safetensors with one tensor `m` [hidden] and metadata naming the model (fingerprint), the
 * text length and the data it was trained on, so a file for another model is refused by name.
 */
import type { Model } from '../model/model.ts';
import { bytesSource, encodeSafetensors, readTensor, type ByteSource } from '../model/safetensors.ts';
import { ProtoTrainer, type ProtoVectors } from './trainer.ts';
import type { ProtoReport } from './input-trainer.ts';
import { optimise } from './optimise.ts';
import { textsWithRestarts, withFixedM, singleText, type ProtoProblem } from './problem.ts';
import { checkSolutionFits, finiteVector, LAB_VERSION, metadataNumber, readLabFileHeader, SolutionFileError } from './solution-file.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';

export const UNIVERSAL_M_FORMAT = 'protolab-universal-m/1';

export interface UniversalMMeta {
  model: string;
  modelFingerprint: string;
  hidden: number;
  /** Tokens per training text. */
  length: number;
  source: string;
  textIds: string[];
  steps: number;
  seed: number;
  lr: number;
  /** Mean over the training texts of the correct fraction with the final m and each text's best e. */
  accuracy: number;
  createdAt: string;
  labVersion: string;
}

export interface UniversalM {
  m: Float32Array;
  meta: UniversalMMeta;
}

export interface UniversalMRun {
  m: Float32Array;
  /** Per training text: tokens right with the final m and that text's own e (one forward pass). */
  correct: number[];
  steps: number;
  seconds: number;
  stoppedBy: string;
}

/**
 * Trains one m over `texts` (all of one length), text t's e drawn from seed + t. The m kept is the
 * final one: keep-best is per text, and the texts' best steps differ, so only the final m is one
 * vector that every text was trained against.
 */
export async function trainUniversalM(model: Model, texts: number[][], settings: ProtoSettings, onReport?: (step: number, correct: readonly number[]) => void): Promise<UniversalMRun> {
  const problem = textsWithRestarts(
    texts,
    texts.map((_, t) => [settings.seed + t]),
    'm',
    texts.length,
  );
  const trainer = await ProtoTrainer.create(model, problem, settings);
  try {
    const r = await optimise(trainer, { onReport: onReport ? (rep) => onReport(rep.step, rep.bestCorrect) : undefined });
    const now = await trainer.currentVectors();
    // The final m with each text's best e is what a frozen reuse would see: score it in one pass.
    const rep = await scoreVectors(model, texts, (await trainer.bestVectors()).map((v) => ({ e: v.e, m: now[0].m })), settings);
    return { m: now[0].m, correct: rep.correct, steps: r.steps, seconds: r.seconds, stoppedBy: r.stoppedBy };
  } finally {
    trainer.destroy();
  }
}

/**
 * One forward pass of [e_t, m_t, ..., m_t] for every text t (the vectors given for it): the loss and
 * the correct tokens of each, as a frozen reuse or an encoder's prediction would give them.
 */
export async function scoreVectors(model: Model, texts: number[][], vectors: readonly ProtoVectors[], settings: ProtoSettings): Promise<ProtoReport> {
  const problem: ProtoProblem = {
    targets: texts,
    seeds: texts.map((_, t) => t),
    eRow: texts.map((_, t) => 2 * t),
    mRow: texts.map((_, t) => 2 * t + 1),
    P: 2 * texts.length,
    fixed: new Map(),
    initial: new Map(vectors.flatMap((v, t) => [[2 * t, v.e] as const, [2 * t + 1, v.m] as const])),
  };
  const scored = await ProtoTrainer.create(model, problem, { ...settings, maxSteps: 1 });
  try {
    scored.submitSteps(1);
    return await scored.report();
  } finally {
    scored.destroy();
  }
}

/** The problem of compressing one text with a universal m: frozen (only e trains) or as m's start. */
export function universalMProblem(targets: number[], seed: number, m: Float32Array, frozen: boolean): ProtoProblem {
  return frozen ? withFixedM(targets, seed, m) : { ...singleText(targets, seed), initial: new Map([[1, m]]) };
}

export function encodeUniversalM(u: UniversalM): Uint8Array {
  const md = u.meta;
  return encodeSafetensors([{ name: 'm', shape: [u.m.length], data: u.m }], {
    format: UNIVERSAL_M_FORMAT,
    model: md.model,
    model_fingerprint: md.modelFingerprint,
    hidden_size: String(md.hidden),
    length: String(md.length),
    source: md.source,
    text_ids: JSON.stringify(md.textIds),
    steps: String(md.steps),
    seed: String(md.seed),
    lr: String(md.lr),
    accuracy: String(md.accuracy),
    created_at: md.createdAt,
    lab_version: md.labVersion,
  });
}

/** A universal-m file, checked to be one and to belong to `model` (its fingerprint and width). */
export async function decodeUniversalM(src: ByteSource, model: Model): Promise<UniversalM> {
  const header = await readLabFileHeader(src, UNIVERSAL_M_FORMAT, { what: 'universal-m', aKind: 'a universal m', makeWith: 'protolab universal-m' });
  const md = header.metadata;
  const info = header.tensors.get('m');
  if (!info || info.shape.length !== 1) throw new SolutionFileError(`${src.describe} must hold one vector m.`);
  const num = (k: string): number => metadataNumber(md, k, src.describe);
  let textIds: string[];
  try {
    textIds = JSON.parse(md.text_ids ?? '[]') as string[];
    if (!Array.isArray(textIds) || textIds.some((t) => typeof t !== 'string')) throw new Error('not a list of strings');
  } catch {
    throw new SolutionFileError(`${src.describe}: metadata field text_ids is not a JSON list of text ids.`);
  }
  const meta: UniversalMMeta = {
    model: md.model ?? '',
    modelFingerprint: md.model_fingerprint ?? '',
    hidden: num('hidden_size'),
    length: num('length'),
    source: md.source ?? '',
    textIds,
    steps: num('steps'),
    seed: num('seed'),
    lr: num('lr'),
    accuracy: num('accuracy'),
    createdAt: md.created_at ?? '',
    labVersion: md.lab_version ?? '',
  };
  if (meta.hidden !== info.shape[0]) throw new SolutionFileError(`${src.describe}: hidden_size ${meta.hidden} disagrees with m's width ${info.shape[0]}.`);
  checkSolutionFits(meta, model, 'universal m');
  return { m: finiteVector(src.describe, 'm', await readTensor(src, info)), meta };
}

export function decodeUniversalMBytes(bytes: Uint8Array, name: string, model: Model): Promise<UniversalM> {
  return decodeUniversalM(bytesSource(bytes, name), model);
}

export function universalMMeta(model: Model, o: Omit<UniversalMMeta, 'model' | 'modelFingerprint' | 'hidden' | 'createdAt' | 'labVersion'>): UniversalMMeta {
  return { model: model.id, modelFingerprint: model.fingerprint, hidden: model.spec.hidden, ...o, createdAt: new Date().toISOString(), labVersion: LAB_VERSION };
}
