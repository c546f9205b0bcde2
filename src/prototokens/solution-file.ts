import { encodeSafetensors, readSafetensorsHeader, readTensor, bytesSource, type ByteSource } from '../model/safetensors.ts';
import { solutionSizeProblem } from '../util/solution-size.ts';
import { isLayoutName, type FirstTarget, type LayoutName } from '../shared/layouts.ts';
import { FORMAT_BEFORE_FORMATS, isWeightFormat, WEIGHT_FORMATS, type WeightFormat } from '../model/weight-format.ts';

export const SOLUTION_FORMAT = 'protolab-solution/1';
export const LAB_VERSION = '0.1.0';

/** What every solution file records of the run that made it, whatever the method. */
export interface RunMeta {
  model: string;
  modelFingerprint: string;
  /**
   * How the model's weights were stored when it was trained (weight-format.ts): a solution for a q4
   * model is a solution for that quantized model. Files from before formats existed say f32.
   */
  weightFormat: WeightFormat;
  hidden: number;
  targetIds: number[];
  text: string;
  seed: number;
  lr: number;
  init: string;
  /**
   * Where the run began, when that was not a seeded draw: the one-pass accuracy of its starting
   * vectors before any step (init 'encoder': the encoder's prediction). Absent otherwise.
   */
  initialAccuracy?: number;
  steps: number;
  loss: number;
  /** cTokens / targetIds.length. */
  accuracy: number;
  cTokens: number;
  seconds: number;
  createdAt: string;
  labVersion: string;
}

/** What produced a pair (e, m): enough to check it belongs to a model and to redo the run. */
export interface SolutionMeta extends RunMeta {
  layout: LayoutName;
  firstTarget: FirstTarget;
}

/** A run's outcome, as the caller knows it; runMeta adds the model's identity, the accuracy and the stamps. */
export interface RunOutcome {
  targetIds: number[];
  text: string;
  seed: number;
  steps: number;
  loss: number;
  cTokens: number;
  seconds: number;
}

/** The one place a solution's run metadata is built (page runs, the command line, geometry, memory). */
export function runMeta(
  model: { id: string; fingerprint: string; weightFormat: WeightFormat; spec: { hidden: number } },
  settings: { lr: number; init: string },
  run: RunOutcome,
  createdAt: string = new Date().toISOString(),
): RunMeta {
  const { targetIds, text, seed, steps, loss, cTokens, seconds } = run;
  return {
    model: model.id,
    modelFingerprint: model.fingerprint,
    weightFormat: model.weightFormat,
    hidden: model.spec.hidden,
    targetIds,
    text,
    seed,
    lr: settings.lr,
    init: settings.init,
    steps,
    loss,
    accuracy: cTokens / targetIds.length,
    cTokens,
    seconds,
    createdAt,
    labVersion: LAB_VERSION,
  };
}

/** A one-shot solution's metadata: the run's, plus the layout it was trained in. */
export function solutionMeta(
  model: Parameters<typeof runMeta>[0],
  settings: { lr: number; init: string; layout: LayoutName; firstTarget: FirstTarget },
  run: RunOutcome,
  createdAt?: string,
): SolutionMeta {
  return { ...runMeta(model, settings, run, createdAt), layout: settings.layout, firstTarget: settings.firstTarget };
}

export interface Solution {
  e: Float32Array;
  m: Float32Array;
  meta: SolutionMeta;
}

export class SolutionFileError extends Error {
  override name = 'SolutionFileError';
}

/** `v` itself, or a SolutionFileError naming the first NaN or infinity: such a solution decodes to nothing and would print as 0 %. */
export function finiteVector(describe: string, name: string, v: Float32Array): Float32Array {
  const i = v.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) throw new SolutionFileError(`${describe}: ${name} holds ${v[i]} at index ${i}; the solution is damaged (a run whose loss became non-finite?). Compress the text again.`);
  return v;
}

/** The run fields as `__metadata__` strings (numbers and lists as JSON), shared by both methods' files. */
export function encodeRunMeta(m: RunMeta): Record<string, string> {
  return {
    model: m.model,
    model_fingerprint: m.modelFingerprint,
    weight_format: m.weightFormat,
    hidden_size: String(m.hidden),
    target_ids: JSON.stringify(m.targetIds),
    text: m.text,
    seed: String(m.seed),
    lr: String(m.lr),
    init: m.init,
    ...(m.initialAccuracy !== undefined ? { initial_accuracy: String(m.initialAccuracy) } : {}),
    steps: String(m.steps),
    loss: String(m.loss),
    accuracy: String(m.accuracy),
    c_tokens: String(m.cTokens),
    seconds: String(m.seconds),
    created_at: m.createdAt,
    lab_version: m.labVersion,
  };
}

/** A solution file's header, or a SolutionFileError naming the file. */
export async function readSolutionHeader(src: ByteSource): Promise<Awaited<ReturnType<typeof readSafetensorsHeader>>> {
  try {
    return await readSafetensorsHeader(src);
  } catch (e) {
    throw new SolutionFileError(`${src.describe} is not a readable solution file: ${(e as Error).message}`);
  }
}

/**
 * The header of a lab file of one format (a universal m, an encoder): refused with one line naming
 * the file when it is not safetensors, or not of that format (`what` names the file kind, `aKind`
 * is it with its article, `makeWith` the command that makes one).
 */
export async function readLabFileHeader(src: ByteSource, format: string, names: { what: string; aKind: string; makeWith: string }): Promise<Awaited<ReturnType<typeof readSafetensorsHeader>>> {
  let header;
  try {
    header = await readSafetensorsHeader(src);
  } catch (e) {
    throw new SolutionFileError(`${src.describe} is not a readable ${names.what} file: ${(e as Error).message}`);
  }
  if (header.metadata.format !== format) throw new SolutionFileError(`${src.describe} is not ${names.aKind} (no format "${format}" in its metadata); make one with ${names.makeWith}.`);
  return header;
}

/** A number from a lab file's `__metadata__`, or a SolutionFileError naming the file and the field. */
export function metadataNumber(md: Record<string, string>, k: string, describe: string): number {
  const v = Number(md[k]);
  if (md[k] === undefined || md[k].trim() === '' || !Number.isFinite(v)) throw new SolutionFileError(`${describe}: metadata field ${k} is missing or not a number.`);
  return v;
}

/** The run fields back from `__metadata__`, each checked, with the file named in every refusal. */
export function decodeRunMeta(md: Record<string, string>, describe: string): RunMeta {
  const num = (k: string): number => metadataNumber(md, k, describe);
  let targetIds: unknown;
  try {
    targetIds = JSON.parse(md.target_ids ?? 'null');
  } catch {
    targetIds = null;
  }
  if (!Array.isArray(targetIds) || targetIds.length === 0 || !targetIds.every((t) => Number.isInteger(t) && t >= 0)) {
    throw new SolutionFileError(`${describe}: metadata field target_ids must be a non-empty JSON list of token ids.`);
  }
  const weightFormat = md.weight_format ?? FORMAT_BEFORE_FORMATS;
  if (!isWeightFormat(weightFormat)) throw new SolutionFileError(`${describe}: metadata field weight_format is "${weightFormat}", not one of ${WEIGHT_FORMATS.join(', ')}.`);
  return {
    model: md.model ?? '',
    modelFingerprint: md.model_fingerprint ?? '',
    weightFormat,
    hidden: num('hidden_size'),
    targetIds: targetIds as number[],
    text: md.text ?? '',
    seed: num('seed'),
    lr: num('lr'),
    init: md.init ?? 'normal',
    ...(md.initial_accuracy !== undefined ? { initialAccuracy: num('initial_accuracy') } : {}),
    steps: num('steps'),
    loss: num('loss'),
    accuracy: num('accuracy'),
    cTokens: num('c_tokens'),
    seconds: num('seconds'),
    createdAt: md.created_at ?? '',
    labVersion: md.lab_version ?? '',
  };
}

/**
 * A solution is a standard safetensors file: tensors `e` and `m` (F32, shape [d]) and the
 * metadata as strings in `__metadata__` (numbers and lists as JSON), so `safetensors.torch.load_file`
 * reads it and `safe_open(...).metadata()` shows where it came from.
 */
export function encodeSolution(s: Solution): Uint8Array {
  const m = s.meta;
  return encodeSafetensors(
    [
      { name: 'e', shape: [s.e.length], data: s.e },
      { name: 'm', shape: [s.m.length], data: s.m },
    ],
    { format: SOLUTION_FORMAT, ...encodeRunMeta(m), layout: m.layout, first_target: m.firstTarget },
  );
}

export async function decodeSolution(src: ByteSource): Promise<Solution> {
  const header = await readSolutionHeader(src);
  const md = header.metadata;
  if (md.format !== SOLUTION_FORMAT) throw new SolutionFileError(`${src.describe} is a safetensors file but not a proto-token solution (no format "${SOLUTION_FORMAT}" in its metadata).`);
  const e = header.tensors.get('e');
  const m = header.tensors.get('m');
  if (!e || !m || e.shape.length !== 1 || m.shape.length !== 1 || e.shape[0] !== m.shape[0]) {
    throw new SolutionFileError(`${src.describe} must hold two vectors e and m of the same width.`);
  }
  const run = decodeRunMeta(md, src.describe);
  const layout = md.layout ?? '';
  if (!isLayoutName(layout)) throw new SolutionFileError(`${src.describe}: unknown layout "${layout}".`);
  const meta: SolutionMeta = { ...run, layout, firstTarget: md.first_target === 'first-m' ? 'first-m' : 'e' };
  if (meta.hidden !== e.shape[0]) throw new SolutionFileError(`${src.describe}: hidden_size ${meta.hidden} disagrees with the vectors' width ${e.shape[0]}.`);
  return { e: finiteVector(src.describe, 'e', await readTensor(src, e)), m: finiteVector(src.describe, 'm', await readTensor(src, m)), meta };
}

export function decodeSolutionBytes(bytes: Uint8Array, name: string): Promise<Solution> {
  checkSolutionSize(name, bytes.length);
  return decodeSolution(bytesSource(bytes, name));
}

/** Refuses a file too big to be a solution before it is parsed (see util/solution-size.ts). */
export function checkSolutionSize(name: string, size: number): void {
  const problem = solutionSizeProblem(name, size);
  if (problem) throw new SolutionFileError(problem);
}

/** Refuses a solution (of either method), or another file of the lab (`what`), made for another model, naming both. */
export function checkSolutionFits(meta: Pick<RunMeta, 'model' | 'modelFingerprint' | 'hidden'>, model: { id: string; fingerprint: string; spec: { hidden: number } }, what = 'solution'): void {
  if (meta.hidden !== model.spec.hidden) {
    throw new SolutionFileError(`This ${what} has width ${meta.hidden} (made with ${meta.model}); the loaded model ${model.id} has width ${model.spec.hidden}. Load the model it was made with.`);
  }
  if (meta.modelFingerprint !== model.fingerprint) {
    throw new SolutionFileError(`This ${what} was made with ${meta.model} (fingerprint ${meta.modelFingerprint.slice(0, 12)}), not with the loaded model ${model.id} (${model.fingerprint.slice(0, 12)}). Load the model it was made with.`);
  }
}
