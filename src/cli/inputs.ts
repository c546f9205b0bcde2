import { readInputFile } from './input-file.ts';
import { tokenizeBounded } from '../model/tokenize-bounded.ts';
import { UsageError } from './errors.ts';
import { decodeUtf8Strict } from '../datasets/utf8.ts';
import type { Tokenizer } from '../model/tokenizer.ts';

export interface TextInput {
  text?: string;
  'text-file'?: string;
  ids?: string;
}

/**
 * --text, --text-file or --ids (exactly one) → token ids, without special tokens. A text is
 * tokenized only as far as `limit.maxTokens` needs (a 20 MB file would take minutes, for an answer
 * known at once): longer, it is cut to its first maxTokens tokens when `limit.cut`, refused otherwise.
 */
export function readTokens(opts: TextInput, tokenizer: Tokenizer, vocabSize: number, limit: { maxTokens: number; cut: boolean }): { tokens: number[]; text: string | null } {
  const given = (['text', 'text-file', 'ids'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1) throw new UsageError('Give exactly one of --text TEXT, --text-file FILE or --ids 1,2,3.');
  if (opts.ids !== undefined) {
    const parts = opts.ids.split(',').map((s) => s.trim());
    const tokens = parts.map((s) => {
      if (!/^\d+$/.test(s)) throw new UsageError(`--ids: "${s}" is not a token id; use comma-separated non-negative integers.`);
      const n = Number(s);
      if (n >= vocabSize) throw new UsageError(`--ids: ${n} is outside the model's vocabulary (0..${vocabSize - 1}).`);
      return n;
    });
    return { tokens: limit.cut ? tokens.slice(0, limit.maxTokens) : tokens, text: null };
  }
  let text: string;
  if (opts['text-file'] !== undefined) {
    const f = opts['text-file'];
    const bytes = readInputFile('--text-file', f, 'a UTF-8 text file');
    try {
      text = decodeUtf8Strict(bytes, f);
    } catch (e) {
      // Names the offset and value of the first bad byte, so the user can find it.
      throw new UsageError(`--text-file: ${(e as Error).message}`);
    }
  } else {
    text = opts.text!;
  }
  if (text.trim().length === 0) throw new UsageError('The text is empty; give some words to work on.');
  const { ids, partial } = tokenizeBounded(tokenizer, text, limit.maxTokens);
  if (limit.cut) return { tokens: ids.slice(0, limit.maxTokens), text };
  if (partial || ids.length > limit.maxTokens) throw new UsageError(`The text is longer than the ${limit.maxTokens} tokens the model takes; give a shorter text (compress: or --max-tokens N to use its start).`);
  return { tokens: ids, text };
}
