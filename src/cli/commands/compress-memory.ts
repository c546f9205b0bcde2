import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { progressLine, clearProgress } from '../progress-bar.ts';
import { optimiseMemory } from '../../memory/optimise.ts';
import { memorySingle } from '../../memory/problem.ts';
import { decodeFromMemory } from '../../memory/decode.ts';
import { encodeMemorySolution } from '../../memory/solution-file.ts';
import type { MemorySettings } from '../../memory/settings.ts';
import { LAB_VERSION } from '../../prototokens/solution-file.ts';
import type { CompressResult } from './compress.ts';

/**
 * `compress --method memory`: K memory vectors before the text's own embeddings (the baseline of
 * Kuratov et al.), then the text decoded from the memory alone (KV-cached greedy decoding), which
 * is what `accuracy` reports. The solution file holds the memory (method "memory").
 */
export async function runCompressMemory(
  { model, tokenizer }: LoadedCliModel,
  tokens: number[],
  text: string,
  settings: MemorySettings,
  K: number,
  out: string | null,
): Promise<CompressResult & { method: 'memory'; memory_tokens: number; teacher_forced_c_tokens: number }> {
  if (tokens.length === 0) throw new UsageError('The text has no tokens.');
  const r = await optimiseMemory(model, memorySingle(tokens, settings.seed, K), settings, {
    onReport: (rep, ms) => progressLine(rep.step, settings.maxSteps, `loss ${rep.loss[0].toFixed(3)} acc ${(rep.bestCorrect[0] / tokens.length).toFixed(3)} ${((1000 * rep.step) / ms).toFixed(1)} steps/s`),
  });
  clearProgress();
  const best = r.best[0];
  const decodedIds = await decodeFromMemory(model, best, tokens.length);
  const cTokens = decodedIds.filter((t, i) => t === tokens[i]).length;
  const result = {
    method: 'memory' as const,
    memory_tokens: K,
    /** Tokens right with the true previous tokens fed (the training metric); c_tokens counts the free-running decode. */
    teacher_forced_c_tokens: r.last.bestCorrect[0],
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
    const bytes = encodeMemorySolution({
      memory: best.memory,
      meta: {
        model: model.id,
        modelFingerprint: model.fingerprint,
        hidden: model.spec.hidden,
        K,
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
}
