/**
 * The encoder measurement of the Experiments view (issue 19 §5), the page's twin of `protolab
 * encoder eval`: K texts of the encoder's length from a source, (a) zero-shot, the one-pass
 * accuracy of [f(text), m, ..., m] with its m; (b) optionally the warm start, the paper's
 * optimiser run to accuracy 1.0 from the prediction and, in the same batch, from S seeded draws.
 * The summaries are the command's (encoder/summary.ts).
 */
import type { Model } from '../../model/model.ts';
import type { Tokenizer } from '../../model/tokenizer.ts';
import type { ProtoSettings } from '../../shared/run-settings.ts';
import type { Gate } from '../../prototokens/optimise.ts';
import { textsOfLength, type TextSource } from '../../datasets/sources.ts';
import type { EncoderParts } from '../../encoder/file.ts';
import { predictAndScore } from '../../encoder/predict.ts';
import { stepsToSolve } from '../../encoder/warm-start.ts';
import { medianRatio, splitWarmStart, summariseFractions, summariseSteps, warmStartItems, type FractionSummary, type StepsSummary } from '../../encoder/summary.ts';

export interface EncoderEvalResult {
  source: string;
  /** Tokens per text: the encoder's length. */
  length: number;
  texts: number;
  /** Per text, the prediction's correct fraction, summarised over texts. */
  zeroShot: FractionSummary;
  /** Null when not asked for, or stopped before it ended. */
  warmStart: { budget: number; seeds: number; encoder: StepsSummary; normal: StepsSummary; medianRatio: number | null } | null;
}

export type EncoderEvalStage = 'texts' | 'zero-shot' | 'warm-start';

export interface EncoderEvalStatus {
  stage: EncoderEvalStage;
  /** Warm start: the optimiser's step of the budget, and the runs at accuracy 1.0 of all. */
  step: number;
  maxSteps: number;
  solved: number;
  runs: number;
}

export interface EncoderEvalOptions {
  model: Model;
  tokenizer: Tokenizer;
  enc: EncoderParts;
  source: TextSource;
  texts: number;
  textSeed: number;
  /** Seeded draws per text of the warm start. */
  seeds: number;
  warmStart: boolean;
  /** The paper's optimiser (maxSteps: the warm start's budget) and the layout the prediction is scored in. */
  settings: ProtoSettings;
  /** The page's pause / stop, asked before every batch of warm-start steps; `signal` tells a stop from an ended budget. */
  gate?: Gate;
  signal?: AbortSignal;
  onProgress?: (s: EncoderEvalStatus) => void;
}

/** K texts of exactly the encoder's length, or a SourceError saying why not. */
async function textsOf(o: EncoderEvalOptions): Promise<number[][]> {
  const texts = await textsOfLength(o.source, { tokenizer: o.tokenizer, model: o.model, length: o.enc.features.length, count: o.texts, seed: o.textSeed });
  return texts.map((t) => t.tokens);
}

/** Runs the measurement; `stopped`: the warm start was stopped before its budget (its summary is then left out). */
export async function evaluateEncoder(o: EncoderEvalOptions): Promise<{ result: EncoderEvalResult; stopped: boolean }> {
  const { model, enc, settings } = o;
  const N = enc.features.length;
  const status = (stage: EncoderEvalStage, step = 0, solved = 0) => o.onProgress?.({ stage, step, maxSteps: settings.maxSteps, solved, runs: o.warmStart ? o.texts * (1 + o.seeds) : 0 });
  status('texts');
  const texts = await textsOf(o);
  status('zero-shot');
  const preds = await predictAndScore(model, enc, texts, settings);
  const result: EncoderEvalResult = { source: o.source.name, length: N, texts: texts.length, zeroShot: summariseFractions(preds.map((p) => p.correct / N)), warmStart: null };
  if (!o.warmStart) return { result, stopped: false };
  const items = warmStartItems(texts, preds, o.seeds, settings.seed);
  status('warm-start');
  const solved = await stepsToSolve(model, items, settings, (step, n) => status('warm-start', step, n), o.gate);
  // Stopped: the runs not solved yet are not "unsolved within the budget"; no summary is better than a wrong one.
  if (o.signal?.aborted) return { result, stopped: true };
  const { fromEncoder, fromDraw } = splitWarmStart(solved, texts.length, o.seeds);
  const encoder = summariseSteps(fromEncoder);
  const normal = summariseSteps(fromDraw.flat());
  result.warmStart = { budget: settings.maxSteps, seeds: o.seeds, encoder, normal, medianRatio: medianRatio(encoder, normal) };
  return { result, stopped: false };
}
