import type { Tokenizer } from './tokenizer.ts';

/**
 * Tokenizing a pasted book takes minutes (the transformers.js BPE runs at roughly 25-40 µs per
 * character on the lab's test machine: 4.3 MB took 6 minutes) and blocks the worker for all that
 * time, although the lab only needs to know that the text is too long. No token decodes to more
 * than `maxTokenChars` characters, so a text longer than maxTokens x that has more than maxTokens
 * tokens whatever its content: only a prefix is tokenized then (for the chips), and the answer is
 * marked partial. The factor 2 leaves room for normalizers that shorten text (NFC composition).
 */
const SAFETY = 2;

const longestToken = new WeakMap<Tokenizer, number>();

/** The most characters any one token stands for (its display string, which is at least as long as its decoded text). */
export function maxTokenChars(tokenizer: Tokenizer): number {
  let n = longestToken.get(tokenizer);
  if (n === undefined) {
    n = 1;
    const ids = Array.from({ length: tokenizer.vocabSize }, (_, i) => i);
    for (const s of tokenizer.tokenStrings(ids)) if (s.length > n) n = s.length;
    longestToken.set(tokenizer, n);
  }
  return n;
}

export interface BoundedTokens {
  ids: number[];
  /** True when only a prefix of the text was tokenized, because the whole is surely longer than maxTokens. */
  partial: boolean;
}

export function tokenizeBounded(tokenizer: Tokenizer, text: string, maxTokens: number): BoundedTokens {
  if (text.length === 0) return { ids: [], partial: false };
  const bound = SAFETY * Math.max(1, maxTokens) * maxTokenChars(tokenizer);
  if (text.length <= bound) return { ids: tokenizer.encode(text), partial: false };
  // Enough of the text for the chips (rarely fewer than 8 characters a token), cut on a code
  // point boundary (never between the halves of a surrogate pair).
  let cut = Math.min(bound, 8 * (maxTokens + 1));
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut -= 1;
  return { ids: tokenizer.encode(text.slice(0, cut)), partial: true };
}
