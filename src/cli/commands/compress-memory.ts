import { resolve } from 'node:path';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { optimiseProgress, clearProgress } from '../progress-bar.ts';
import { optimiseMemory } from '../../memory/optimise.ts';
import { memorySingle } from '../../memory/problem.ts';
import { decodeFromMemory } from '../../memory/decode.ts';
import { encodeMemorySolution } from '../../memory/solution-file.ts';
import type { MemorySettings } from '../../memory/settings.ts';
import { compressOutcome, refuseNonFinite, type CompressResult } from './compress.ts';
import { writeFileAtomic } from '../solution-out.ts';

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
    onReport: optimiseProgress(settings.maxSteps, tokens.length),
  });
  clearProgress();
  refuseNonFinite(r, settings, tokens.length);
  const best = r.best[0];
  const decodedIds = await decodeFromMemory(model, best, tokens.length);
  const { result, meta } = compressOutcome({ model, tokenizer }, tokens, text, settings, r, decodedIds, out);
  if (out) writeFileAtomic(resolve(out), encodeMemorySolution({ memory: best.memory, meta: { ...meta, K } }));
  return {
    method: 'memory',
    memory_tokens: K,
    /** Tokens right with the true previous tokens fed (the training metric); c_tokens counts the free-running decode. */
    teacher_forced_c_tokens: r.last.bestCorrect[0],
    ...result,
  };
}
