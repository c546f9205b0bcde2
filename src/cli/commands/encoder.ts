/**
 * `protolab encoder train` and `protolab encoder eval` (issue 19 §3), and the start that
 * `compress --encoder FILE` takes from an encoder.
 */
import { resolve } from 'node:path';
import { loadCliModel, type LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { COMMON, parse, positiveInt, type Values } from '../args.ts';
import { flagOptions, settingsFromFlags } from '../settings-flags.ts';
import { checkSolutionOut, writeFileAtomic } from '../solution-out.ts';
import { readSolutionFile } from '../input-file.ts';
import { clearProgress } from '../progress-bar.ts';
import { sourceByName } from '../../datasets/node/sources.ts';
import { SourceError, textsOfLength, type TextSource } from '../../datasets/sources.ts';
import { PAPER_SETTINGS, RUN_FIELDS, type ProtoSettings } from '../../shared/run-settings.ts';
import { decodeUniversalMBytes } from '../../prototokens/universal-m.ts';
import type { Model } from '../../model/model.ts';
import { POOLS, type FeatureSpec, type Pool } from '../../encoder/features.ts';
import { trainEncoder } from '../../encoder/train.ts';
import { decodeEncoderBytes, encodeEncoder, encoderMeta, ENCODER_FORMAT, type Encoder } from '../../encoder/file.ts';
import { predictAndScore } from '../../encoder/predict.ts';
import { encoderEval, printEncoderEval } from './encoder-eval.ts';
import type { CompressStart } from './compress.ts';

export const ENCODER_USAGE = `  protolab encoder train --model M --source SRC --texts K --length N [--steps S] [--batch B] [--held-out H]
                       [--layer L] [--pool mean|last|mean-last|flat] [--hidden-width W] [--encoder-lr LR]
                       [--m FILE [--freeze-m] | --predict-m] [--norm-penalty λ] [RUN SETTINGS] [--text-seed K] --out FILE [--force] [--json]
  protolab encoder eval --model M --encoder FILE --source SRC --texts K [--text-seed K]
                       [--warm-start [--seeds S]] [RUN SETTINGS] [--json]`;

/** The compress start an encoder gives one text: its prediction, with the one-pass accuracy it has before any step. */
export async function encoderStart(model: Model, enc: Encoder, tokens: number[], settings: ProtoSettings): Promise<CompressStart> {
  const N = enc.features.length;
  if (tokens.length !== N) throw new UsageError(`This encoder was trained on texts of ${N} tokens and the text has ${tokens.length}; give ${N} tokens (--max-tokens ${N}) or train an encoder for ${tokens.length} (protolab encoder train --length ${tokens.length}).`);
  const [p] = await predictAndScore(model, enc, [tokens], settings);
  return { init: 'encoder', e: p.e, m: p.m, initialCorrect: p.correct };
}

function source(name: string): TextSource {
  try {
    return sourceByName(name);
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(`--source: ${e.message}`);
    throw e;
  }
}

function wholeFrom0(flag: string, v: Values[string], fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(String(v))) throw new UsageError(`${flag} must be a whole number from 0, got "${v}".`);
  return Number(v);
}

/** K texts of exactly N tokens from a source, or one line saying why not. */
export async function sourceTexts({ tokenizer, model }: Pick<LoadedCliModel, 'tokenizer' | 'model'>, src: TextSource, name: string, count: number, length: number, seed: number): Promise<{ id: string; tokens: number[] }[]> {
  try {
    return await textsOfLength(src, { tokenizer, length, count, seed, model });
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(`--source ${name}: ${e.message}`);
    throw e;
  }
}

export interface EncoderTrainResult {
  model: string;
  out: string;
  source: string;
  length: number;
  texts: number;
  held_out: number;
  features: FeatureSpec;
  hidden_width: number;
  steps: number;
  /** One-pass accuracy of the prediction with m: the last tenth of the training batches, and the held-out texts. */
  train_accuracy: number;
  held_out_accuracy: number;
  curve: { step: number; loss: number; accuracy: number }[];
  seconds: number;
}

async function trainMain(values: Values, progress: (msg: string) => void): Promise<string> {
  for (const [flag, what] of [['model', 'M'], ['source', 'SRC'], ['texts', 'K (training texts)'], ['length', 'N (tokens per text)'], ['out', 'FILE']] as const) {
    if (values[flag] === undefined) throw new UsageError(`--${flag} ${what} is required (see protolab --help).`);
  }
  const texts = positiveInt('--texts', values.texts as string);
  const length = positiveInt('--length', values.length as string);
  const heldOut = wholeFrom0('--held-out', values['held-out'], 256);
  const steps = values.steps !== undefined ? positiveInt('--steps', values.steps as string) : 2000;
  const batch = values.batch !== undefined ? positiveInt('--batch', values.batch as string) : 32;
  const hiddenWidth = wholeFrom0('--hidden-width', values['hidden-width'], 256);
  const textSeed = wholeFrom0('--text-seed', values['text-seed'], 0);
  const pool = (values.pool ?? 'flat') as Pool;
  if (!POOLS.includes(pool)) throw new UsageError(`--pool must be one of ${POOLS.join(', ')}, got "${values.pool}".`);
  const lr = values['encoder-lr'] !== undefined ? Number(values['encoder-lr']) : 1e-3;
  if (!(lr > 0 && lr <= 1)) throw new UsageError(`--encoder-lr must be a number above 0 and at most 1, got "${values['encoder-lr']}".`);
  if (values['freeze-m'] && values.m === undefined) throw new UsageError('--freeze-m keeps the m of --m FILE fixed; give --m FILE.');
  const predictM = values['predict-m'] === true;
  const normPenalty = values['norm-penalty'] !== undefined ? Number(values['norm-penalty']) : 0;
  if (!(normPenalty >= 0 && normPenalty <= 10)) throw new UsageError(`--norm-penalty must be a number from 0 to 10, got "${values['norm-penalty']}".`);
  if (predictM && values.m !== undefined) throw new UsageError('--predict-m predicts each text\'s m: it takes no universal m; leave out --m.');
  // The encoder's steps are --steps; the run settings give m's optimiser and the layout.
  const proto = settingsFromFlags(RUN_FIELDS, { ...values, steps: undefined }, PAPER_SETTINGS);
  const out = checkSolutionOut(values.out as string, values.force === true, { format: ENCODER_FORMAT, name: 'encoder' });
  const mBytes = values.m !== undefined ? readSolutionFile('--m', values.m as string) : null;
  const src = source(values.source as string);
  const loaded = await loadCliModel(values.model as string, progress, { revision: values.revision, weights: values.weights });
  const { model, tokenizer } = loaded;
  const layer = wholeFrom0('--layer', values.layer, model.spec.layers);
  if (layer > model.spec.layers) throw new UsageError(`--layer must be at most ${model.spec.layers} (this model's final hidden states), got ${layer}.`);
  const m = mBytes ? (await decodeUniversalMBytes(mBytes, values.m as string, model)).m : null;
  progress(`texts: ${texts + heldOut} of ${length} tokens from ${values.source}`);
  const all = await sourceTexts(loaded, src, values.source as string, texts + heldOut, length, textSeed);
  const features: FeatureSpec = { layer, pool, length, bos: tokenizer.bosTokenId };
  const run = await trainEncoder(
    model,
    all.slice(0, texts).map((t) => t.tokens),
    all.slice(texts).map((t) => t.tokens),
    { features, hiddenWidth, batch, steps, lr, seed: proto.seed, proto, m, freezeM: values['freeze-m'] === true, predictM, normPenalty },
    (p) => progress(`step ${p.step}/${steps}: ${(100 * p.accuracy).toFixed(1)} % of a batch's tokens from the prediction, loss ${p.loss.toFixed(3)} per token`),
  );
  clearProgress();
  const meta = encoderMeta(model, {
    source: values.source as string,
    texts,
    heldOut,
    steps,
    batch,
    lr,
    mLr: proto.lr,
    freezeM: values['freeze-m'] === true,
    normPenalty,
    seed: proto.seed,
    trainAccuracy: run.trainAccuracy,
    heldOutAccuracy: heldOut ? run.heldOutAccuracy : 0,
  });
  writeFileAtomic(out, encodeEncoder({ ...run.encoder, meta }));
  const r: EncoderTrainResult = {
    model: model.id,
    out: resolve(out),
    source: values.source as string,
    length,
    texts,
    held_out: heldOut,
    features,
    hidden_width: hiddenWidth,
    steps,
    train_accuracy: run.trainAccuracy,
    held_out_accuracy: run.heldOutAccuracy,
    curve: run.curve,
    seconds: run.seconds,
  };
  if (values.json) return JSON.stringify(r);
  return [
    `model     ${r.model}`,
    `encoder   ${pool} of layer ${layer}, ${hiddenWidth ? `MLP with ${hiddenWidth} hidden units` : 'linear'}${predictM ? ', e and m per text' : ''}; texts of ${length} tokens`,
    `trained   ${steps} steps of ${batch} of ${texts} ${r.source} texts, ${r.seconds.toFixed(1)} s; prediction alone: ${(100 * r.train_accuracy).toFixed(1)} % of the tokens (last batches)`,
    ...(heldOut ? [`held out  ${heldOut} texts: ${(100 * r.held_out_accuracy).toFixed(1)} % of the tokens from the prediction alone`] : []),
    `saved     ${r.out}`,
  ].join('\n');
}

/** `protolab encoder train|eval ...` */
export async function encoderMain(argv: string[], progress: (msg: string) => void): Promise<string> {
  const [sub, ...rest] = argv;
  const flags = {
    ...COMMON,
    ...flagOptions(RUN_FIELDS),
    source: { type: 'string' },
    texts: { type: 'string' },
    'text-seed': { type: 'string' },
  } as const;
  if (sub === 'train') {
    const { values } = parse(rest, {
      ...flags,
      length: { type: 'string' },
      batch: { type: 'string' },
      'held-out': { type: 'string' },
      layer: { type: 'string' },
      pool: { type: 'string' },
      'hidden-width': { type: 'string' },
      'encoder-lr': { type: 'string' },
      m: { type: 'string' },
      'freeze-m': { type: 'boolean' },
      'predict-m': { type: 'boolean' },
      'norm-penalty': { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    });
    return trainMain(values, progress);
  }
  if (sub === 'eval') {
    const { values } = parse(rest, { ...flags, encoder: { type: 'string' }, 'warm-start': { type: 'boolean' }, seeds: { type: 'string' } });
    const r = await encoderEval(values, progress);
    return values.json ? JSON.stringify(r) : printEncoderEval(r);
  }
  throw new UsageError(`protolab encoder needs train or eval, got ${sub === undefined ? 'nothing' : `"${sub}"`} (see protolab --help).`);
}
