/**
 * `protolab encoder eval`: an encoder's prediction on texts it never saw. Always the zero-shot
 * one-pass accuracy of [f(text), m, ..., m]; with --warm-start also the paper's optimiser run to
 * accuracy 1.0 from the prediction and, on the same texts in the same batch, from S seeded draws,
 * with the steps each needed (issue 19's warm-start target).
 */
import { resolve } from 'node:path';
import { loadCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { positiveInt, type Values } from '../args.ts';
import { settingsFromFlags } from '../settings-flags.ts';
import { readSolutionFile } from '../input-file.ts';
import { clearProgress } from '../progress-bar.ts';
import { sourceByName } from '../../datasets/node/sources.ts';
import { SourceError } from '../../datasets/sources.ts';
import { PAPER_SETTINGS, RUN_FIELDS } from '../../shared/run-settings.ts';
import { decodeEncoderBytes } from '../../encoder/file.ts';
import { predictAndScore } from '../../encoder/predict.ts';
import { stepsToSolve } from '../../encoder/warm-start.ts';
import { sourceTexts } from './encoder.ts';
import { medianRatio, splitWarmStart, summariseFractions, summariseSteps, warmStartItems, type StepsSummary } from '../../encoder/summary.ts';

export type { StepsSummary };

export interface EncoderEvalResult {
  model: string;
  encoder: string;
  source: string;
  length: number;
  texts: { id: string; correct: number; loss: number; steps_encoder?: number | null; steps_normal?: (number | null)[] }[];
  /** Mean, standard deviation, min and max over texts of the prediction's correct fraction. */
  zero_shot: { mean: number; sd: number; min: number; max: number };
  warm_start?: { budget: number; seeds: number; encoder: StepsSummary; normal: StepsSummary; median_ratio: number | null; seconds: number };
}

export async function encoderEval(values: Values, progress: (msg: string) => void): Promise<EncoderEvalResult> {
  for (const [flag, what] of [['model', 'M'], ['encoder', 'FILE'], ['source', 'SRC'], ['texts', 'K']] as const) {
    if (values[flag] === undefined) throw new UsageError(`--${flag} ${what} is required (see protolab --help).`);
  }
  const count = positiveInt('--texts', values.texts as string);
  const seeds = values.seeds !== undefined ? positiveInt('--seeds', values.seeds as string) : 2;
  if (values.seeds !== undefined && !values['warm-start']) throw new UsageError('--seeds S gives the from-scratch runs of --warm-start; add --warm-start.');
  const textSeed = values['text-seed'] !== undefined ? Number(values['text-seed']) : 0;
  if (!Number.isSafeInteger(textSeed) || textSeed < 0) throw new UsageError(`--text-seed must be a whole number from 0, got "${values['text-seed']}".`);
  const settings = settingsFromFlags(RUN_FIELDS, values, PAPER_SETTINGS);
  const bytes = readSolutionFile('--encoder', values.encoder as string);
  let src;
  try {
    src = sourceByName(values.source as string);
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(`--source: ${e.message}`);
    throw e;
  }
  const loaded = await loadCliModel(values.model as string, progress, { revision: values.revision, weights: values.weights });
  const enc = await decodeEncoderBytes(bytes, values.encoder as string, loaded.model);
  const N = enc.features.length;
  const texts = await sourceTexts(loaded, src, values.source as string, count, N, textSeed);
  const preds = await predictAndScore(loaded.model, enc, texts.map((t) => t.tokens), settings);
  const result: EncoderEvalResult = {
    model: loaded.model.id,
    encoder: resolve(values.encoder as string),
    source: values.source as string,
    length: N,
    texts: texts.map((t, i) => ({ id: t.id, correct: preds[i].correct, loss: preds[i].loss })),
    zero_shot: summariseFractions(preds.map((p) => p.correct / N)),
  };
  if (!values['warm-start']) return result;
  const items = warmStartItems(texts.map((t) => t.tokens), preds, seeds, settings.seed);
  const t0 = performance.now();
  const solved = await stepsToSolve(loaded.model, items, settings, (step, n) => progress(`warm start: step ${step}/${settings.maxSteps}, ${n} of ${items.length} runs at accuracy 1.0`));
  clearProgress();
  const { fromEncoder, fromDraw } = splitWarmStart(solved, texts.length, seeds);
  texts.forEach((_, i) => Object.assign(result.texts[i], { steps_encoder: fromEncoder[i], steps_normal: fromDraw[i] }));
  const encoder = summariseSteps(fromEncoder);
  const normal = summariseSteps(fromDraw.flat());
  result.warm_start = {
    budget: settings.maxSteps,
    seeds,
    encoder,
    normal,
    median_ratio: medianRatio(encoder, normal),
    seconds: (performance.now() - t0) / 1000,
  };
  return result;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const stepsLine = (s: StepsSummary) => `median ${s.median ?? 'unsolved'} steps (quartiles ${s.q1 ?? '-'}..${s.q3 ?? '-'}), ${s.solved}/${s.items} solved`;

export function printEncoderEval(r: EncoderEvalResult): string {
  const z = r.zero_shot;
  const lines = [
    `model       ${r.model}`,
    `texts       ${r.texts.length} of ${r.length} tokens from ${r.source}`,
    `zero-shot   ${pct(z.mean)} ± ${pct(z.sd)} of the tokens from the prediction alone (min ${pct(z.min)}, max ${pct(z.max)})`,
  ];
  const w = r.warm_start;
  if (w) {
    lines.push(
      `from encoder ${stepsLine(w.encoder)}`,
      `from draw    ${stepsLine(w.normal)} (${w.seeds} seeds per text)`,
      `ratio        ${w.median_ratio === null ? 'n/a (a median is unsolved)' : `${w.median_ratio.toFixed(2)}x the steps`}; budget ${w.budget} steps, ${w.seconds.toFixed(0)} s`,
    );
  }
  return lines.join('\n');
}
