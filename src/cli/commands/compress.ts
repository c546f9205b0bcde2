import { resolve } from 'node:path';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { optimiseProgress, clearProgress } from '../progress-bar.ts';
import { ProtoTrainer } from '../../prototokens/trainer.ts';
import { optimise, type OptimiseResult } from '../../prototokens/optimise.ts';
import { singleText, type ProtoProblem } from '../../prototokens/problem.ts';
import { universalMProblem } from '../../prototokens/universal-m.ts';
import { decodeOnePass } from '../../prototokens/decode.ts';
import { encodeSolution, runMeta, type RunMeta } from '../../prototokens/solution-file.ts';
import type { ProtoSettings } from '../../shared/run-settings.ts';
import { writeFileAtomic } from '../solution-out.ts';

export interface CompressResult {
  model: string;
  tokens: number[];
  accuracy: number;
  c_tokens: number;
  loss: number;
  steps: number;
  seconds: number;
  decoded: string;
  out: string | null;
  stopped_by: string;
  /** Where the vectors started: the draw ('normal', 'embedding-std'), 'universal-m' (frozen or not) or 'encoder'. */
  init: string;
  /** Encoder starts: the one-pass accuracy of the prediction before any step. */
  initial_accuracy?: number;
}

/** Where a compress run's vectors start besides the seeded draw: a universal m (frozen or as m's start), or an encoder's prediction. */
export type CompressStart =
  | { init: 'universal-m' | 'universal-m frozen'; m: Float32Array }
  | { init: 'encoder'; e: Float32Array; m: Float32Array; initialCorrect: number };

function startProblem(tokens: number[], seed: number, start?: CompressStart): ProtoProblem {
  if (!start) return singleText(tokens, seed);
  if (start.init === 'encoder') return { ...singleText(tokens, seed), initial: new Map([[0, start.e], [1, start.m]]) };
  return universalMProblem(tokens, seed, start.m, start.init === 'universal-m frozen');
}

/**
 * A run whose loss became NaN or infinite did not work, whatever its best state says: it is an
 * error naming the step, and nothing is saved (a never-finite run would otherwise save zero vectors
 * and print "loss 0.0000").
 */
export function refuseNonFinite(r: OptimiseResult<unknown>, settings: { lr: number }, N: number): void {
  if (r.stoppedBy !== 'non-finite') return;
  const best = r.last.bestCorrect[0];
  const before = Number.isFinite(r.last.bestLoss[0]) && best > 0 ? ` (best before it: ${best}/${N} tokens)` : ' (it was never finite)';
  throw new Error(`The loss became non-finite by step ${r.stoppedAt}${before}; nothing was saved. Try a smaller --lr (now ${settings.lr}), or check the model's weights.`);
}

/**
 * What either method's compress reports, and the run metadata its solution file records, from the
 * optimisation's result and the ids decoded from the best vectors (c_tokens counts those).
 */
export function compressOutcome(
  { model, tokenizer }: Pick<LoadedCliModel, 'model' | 'tokenizer'>,
  tokens: number[],
  text: string,
  settings: { seed: number; lr: number; init: string },
  r: OptimiseResult<unknown>,
  decodedIds: number[],
  out: string | null,
): { result: CompressResult; meta: RunMeta } {
  const cTokens = decodedIds.filter((t, i) => t === tokens[i]).length;
  const meta = runMeta(model, settings, { targetIds: tokens, text, seed: settings.seed, steps: r.steps, loss: r.last.bestLoss[0], cTokens, seconds: r.seconds });
  const result: CompressResult = {
    model: model.id,
    tokens,
    accuracy: meta.accuracy,
    c_tokens: cTokens,
    loss: meta.loss,
    steps: r.steps,
    seconds: r.seconds,
    decoded: tokenizer.decode(decodedIds),
    out: out ? resolve(out) : null,
    stopped_by: r.stoppedBy,
    init: settings.init,
  };
  return { result, meta };
}

/**
 * One text's proto-tokens from the seeded draw, or from `start`: a universal m (its file:
 * prototokens/universal-m.ts), frozen or as m's start, or an encoder's prediction (encoder/); the
 * solution records which (its init).
 */
export async function runCompress(
  { model, tokenizer }: LoadedCliModel,
  tokens: number[],
  text: string,
  settings: ProtoSettings,
  out: string | null,
  start?: CompressStart,
): Promise<CompressResult> {
  if (tokens.length === 0) throw new UsageError('The text has no tokens.');
  const problem = startProblem(tokens, settings.seed, start);
  const trainer = await ProtoTrainer.create(model, problem, settings);
  try {
    const r = await optimise(trainer, {
      onReport: optimiseProgress(settings.maxSteps, tokens.length),
    });
    clearProgress();
    refuseNonFinite(r, settings, tokens.length);
    const best = r.best[0];
    const decodedIds = await decodeOnePass(model, best, settings.layout, settings.firstTarget, tokens.length);
    const init = start?.init ?? settings.init;
    const { result, meta } = compressOutcome({ model, tokenizer }, tokens, text, { ...settings, init }, r, decodedIds, out);
    const initialAccuracy = start?.init === 'encoder' ? start.initialCorrect / tokens.length : undefined;
    if (out) writeFileAtomic(resolve(out), encodeSolution({ e: best.e, m: best.m, meta: { ...meta, layout: settings.layout, firstTarget: settings.firstTarget, ...(initialAccuracy !== undefined ? { initialAccuracy } : {}) } }));
    return initialAccuracy !== undefined ? { ...result, initial_accuracy: initialAccuracy } : result;
  } finally {
    trainer.destroy();
  }
}

export function printCompress(r: CompressResult): string {
  return [
    ...(r.initial_accuracy !== undefined ? [`encoder   ${(100 * r.initial_accuracy).toFixed(1)} % of the tokens right from the prediction alone, before any step`] : []),
    `accuracy  ${(100 * r.accuracy).toFixed(1)} % (${r.c_tokens}/${r.tokens.length} tokens) after ${r.steps} steps, ${r.seconds.toFixed(1)} s (${r.stopped_by})`,
    `loss      ${r.loss.toFixed(4)} nats`,
    `decoded   ${JSON.stringify(r.decoded)}`,
    ...(r.out ? [`saved     ${r.out}`] : []),
  ].join('\n');
}
