import { readFileSync, existsSync } from 'node:fs';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { decodeSolutionBytes, checkSolutionModel } from '../../prototokens/solution-file.ts';
import { decodeOnePass } from '../../prototokens/decode.ts';

export async function runDecode({ model, tokenizer }: LoadedCliModel, file: string | undefined): Promise<{ tokens: number[]; text: string; accuracy: number }> {
  if (!file) throw new UsageError('--solution FILE is required (a .safetensors file saved by compress or the lab).');
  if (!existsSync(file)) throw new UsageError(`--solution: no file at ${file}.`);
  const solution = await decodeSolutionBytes(new Uint8Array(readFileSync(file)), file);
  checkSolutionModel(solution, model);
  const N = solution.meta.targetIds.length;
  const tokens = await decodeOnePass(model, solution, solution.meta.layout, solution.meta.firstTarget, N);
  const correct = tokens.filter((t, i) => t === solution.meta.targetIds[i]).length;
  return { tokens, text: tokenizer.decode(tokens), accuracy: correct / N };
}
