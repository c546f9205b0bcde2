import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { decodeOnePass } from '../../prototokens/decode.ts';
import { decodeAnySolutionBytes } from '../../memory/solution-file.ts';
import { checkSolutionFits } from '../../prototokens/solution-file.ts';
import { weightFormatNote } from '../../model/weight-format.ts';
import { readSolutionFile } from '../input-file.ts';
import { decodeFromMemory } from '../../memory/decode.ts';

/** One-shot solutions decode in one forward pass; memory-token ones autoregressively from the memory alone. */
export async function runDecode({ model, tokenizer }: LoadedCliModel, file: string | undefined): Promise<{ tokens: number[]; text: string; accuracy: number; note: string | null }> {
  if (!file) throw new UsageError('--solution FILE is required (a .safetensors file saved by compress or the lab).');
  const any = await decodeAnySolutionBytes(readSolutionFile('--solution', file), file);
  const meta = any.solution.meta;
  checkSolutionFits(meta, model);
  const N = meta.targetIds.length;
  const tokens =
    any.method === 'memory'
      ? await decodeFromMemory(model, { memory: any.solution.memory, K: any.solution.meta.K }, N)
      : await decodeOnePass(model, any.solution, any.solution.meta.layout, any.solution.meta.firstTarget, N);
  const correct = tokens.filter((t, i) => t === meta.targetIds[i]).length;
  return { tokens, text: tokenizer.decode(tokens), accuracy: correct / N, note: weightFormatNote(meta.weightFormat, model.weightFormat) };
}
