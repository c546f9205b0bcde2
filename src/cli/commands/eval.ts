import { evaluateTokens } from '../../model/evaluate.ts';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';

export interface EvalResult {
  model: string;
  tokens: number[];
  nll: number[];
  h_lm: number;
  argmax: number[];
}

export async function runEval({ model }: LoadedCliModel, tokens: number[]): Promise<EvalResult> {
  if (tokens.length === 0) throw new UsageError('The text has no tokens.');
  if (tokens.length > model.spec.maxPositions) {
    throw new UsageError(`The text has ${tokens.length} tokens but the model takes at most ${model.spec.maxPositions}; shorten it.`);
  }
  const r = await evaluateTokens(model, tokens);
  return { model: model.id, tokens, nll: r.nll, h_lm: r.hLm, argmax: r.argmax };
}

export function printEval(r: EvalResult, pieces: string[]): string {
  const lines = ['  pos  token    piece                nll(next)  argmax'];
  r.tokens.forEach((t, i) => {
    const nll = i < r.nll.length ? r.nll[i].toFixed(4) : '-';
    lines.push(`${String(i).padStart(5)}  ${String(t).padStart(6)}   ${JSON.stringify(pieces[i] ?? '').padEnd(20)} ${nll.padStart(9)}  ${r.argmax[i]}`);
  });
  lines.push(`H_LM = ${r.h_lm.toFixed(4)} nats over ${r.nll.length} predicted tokens`);
  return lines.join('\n');
}
