import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { progressLine, clearProgress } from '../progress-bar.ts';
import { ProtoTrainer } from '../../prototokens/trainer.ts';
import { optimise } from '../../prototokens/optimise.ts';
import { singleText } from '../../prototokens/problem.ts';
import { decodeOnePass } from '../../prototokens/decode.ts';
import { encodeSolution, LAB_VERSION } from '../../prototokens/solution-file.ts';
import type { ProtoSettings } from '../../prototokens/settings.ts';

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
}

export async function runCompress({ model, tokenizer }: LoadedCliModel, tokens: number[], text: string, settings: ProtoSettings, out: string | null): Promise<CompressResult> {
  if (tokens.length === 0) throw new UsageError('The text has no tokens.');
  const trainer = await ProtoTrainer.create(model, singleText(tokens, settings.seed), settings);
  try {
    const r = await optimise(trainer, {
      onReport: (rep, ms) => progressLine(rep.step, settings.maxSteps, `loss ${rep.loss[0].toFixed(3)} acc ${(rep.bestCorrect[0] / tokens.length).toFixed(3)} ${((1000 * rep.step) / ms).toFixed(1)} steps/s`),
    });
    clearProgress();
    const best = r.best[0];
    const decodedIds = await decodeOnePass(model, best, settings.layout, settings.firstTarget, tokens.length);
    const cTokens = decodedIds.filter((t, i) => t === tokens[i]).length;
    const result: CompressResult = {
      model: model.id,
      tokens,
      accuracy: cTokens / tokens.length,
      c_tokens: cTokens,
      loss: r.last.bestLoss[0],
      steps: r.steps,
      seconds: r.seconds,
      decoded: tokenizer.decode(decodedIds),
      out: out ? resolve(out) : null,
      stopped_by: r.stoppedBy,
    };
    if (out) {
      const bytes = encodeSolution({
        e: best.e,
        m: best.m,
        meta: {
          model: model.id,
          modelFingerprint: model.fingerprint,
          hidden: model.spec.hidden,
          layout: settings.layout,
          firstTarget: settings.firstTarget,
          targetIds: tokens,
          text,
          seed: settings.seed,
          lr: settings.lr,
          init: settings.init,
          steps: r.steps,
          loss: result.loss,
          accuracy: result.accuracy,
          cTokens,
          seconds: r.seconds,
          createdAt: new Date().toISOString(),
          labVersion: LAB_VERSION,
        },
      });
      writeFileSync(resolve(out), bytes);
    }
    return result;
  } finally {
    trainer.destroy();
  }
}

export function printCompress(r: CompressResult): string {
  return [
    `accuracy  ${(100 * r.accuracy).toFixed(1)} % (${r.c_tokens}/${r.tokens.length} tokens) after ${r.steps} steps, ${r.seconds.toFixed(1)} s (${r.stopped_by})`,
    `loss      ${r.loss.toFixed(4)} nats`,
    `decoded   ${JSON.stringify(r.decoded)}`,
    ...(r.out ? [`saved     ${r.out}`] : []),
  ].join('\n');
}
