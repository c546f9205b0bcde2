/**
 * The capacity bar's numbers (issue 19 §5): a compression's tokens right, against Kuratov et al.'s
 * theoretical bound for one trained vector and the text's own cross-entropy H_LM under the model,
 * all on one scale in tokens. Pure, so the page's bar and any report compute them alike.
 *
 * The bound: a vector of `hidden` coordinates stored in float16 holds hidden·16 bits; a token of a
 * vocabulary of V costs log2 V bits when nothing is known about it, so at most hidden·16 / log2 V
 * tokens fit (stories260k: 64·16 / 9 ≈ 113.8). The model does know something: it predicts each
 * next token, and what the vector must still carry is the text's H_LM (the paper's Eq. 3, the sum of
 * -log p of each next token). To draw H_LM on the same token scale it is priced like the bound, at
 * log2 V bits a token: the mark sits at H_LM / log2 V, and it lies left of the bound exactly when the
 * text's information fits into the vector's bits.
 */

/** Kuratov et al. count each coordinate at float16 precision. */
export const BITS_PER_COORDINATE = 16;

/** Bits a vector of `hidden` float16 coordinates holds. */
export function vectorBits(hidden: number): number {
  return hidden * BITS_PER_COORDINATE;
}

/** Kuratov et al.'s bound in tokens: hidden·16 / log2(vocabSize). */
export function kuratovBoundTokens(hidden: number, vocabSize: number): number {
  return vectorBits(hidden) / Math.log2(vocabSize);
}

export function natsToBits(nats: number): number {
  return nats / Math.LN2;
}

export interface CapacityInput {
  hidden: number;
  vocabSize: number;
  /** The text's length in tokens. */
  length: number;
  /** Tokens right with the current vectors (null: none reported, e.g. a finished run or a file). */
  correct: number | null;
  /** Tokens right with the best vectors so far (the kept solution). */
  best: number;
  /** H_LM of the text in nats; null while not known. */
  hLmNats: number | null;
}

export type MarkKey = 'best' | 'correct' | 'length' | 'bound' | 'hlm';

export interface CapacityMark {
  key: MarkKey;
  /** Where it sits on the scale, in tokens, and as a share of the scale's end. */
  tokens: number;
  fraction: number;
  /** A few words beside the mark. */
  label: string;
  /** What the mark means (the tooltip). */
  title: string;
}

export interface CapacityBar {
  /** The scale's end in tokens: the largest mark. */
  max: number;
  boundTokens: number;
  bits: number;
  /** log2 of the vocabulary: bits per token at the bound's price. */
  bitsPerToken: number;
  hLmBits: number | null;
  /** H_LM priced at log2 V bits a token (see the file's head). */
  hLmTokens: number | null;
  /** Share of the vector's bits that H_LM needs. */
  hLmShare: number | null;
  marks: CapacityMark[];
  /** One line under the bar: every number with its unit. */
  caption: string;
}

/** 113.777 → "113.8", 20 → "20". */
export function formatTokens(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}

export function capacityBar(x: CapacityInput): CapacityBar {
  if (!(x.hidden > 0) || !(x.vocabSize > 1)) throw new Error(`A capacity bar needs a hidden size above 0 and a vocabulary above 1 token, got ${x.hidden} and ${x.vocabSize}.`);
  const bits = vectorBits(x.hidden);
  const bitsPerToken = Math.log2(x.vocabSize);
  const boundTokens = bits / bitsPerToken;
  const hLmBits = x.hLmNats === null ? null : natsToBits(x.hLmNats);
  const hLmTokens = hLmBits === null ? null : hLmBits / bitsPerToken;
  const hLmShare = hLmBits === null ? null : hLmBits / bits;
  const max = Math.max(x.length, boundTokens, hLmTokens ?? 0, 1);
  const bpt = bitsPerToken.toFixed(2);
  const mark = (key: MarkKey, tokens: number, label: string, title: string): CapacityMark => ({ key, tokens, fraction: tokens / max, label, title });
  const marks = [
    mark('best', x.best, `best ${x.best} / ${x.length}`, `Tokens reproduced by the best vectors so far (the kept solution): ${x.best} of the text's ${x.length}.`),
    ...(x.correct === null ? [] : [mark('correct', x.correct, `now ${x.correct}`, `Tokens right with the current vectors, at the last report: ${x.correct}.`)]),
    mark('length', x.length, `text ${x.length} tokens`, `The text's length: ${x.length} tokens. A run is solved when the best reaches it.`),
    mark(
      'bound',
      boundTokens,
      `bound ${formatTokens(boundTokens)}`,
      `Kuratov et al.'s bound for one vector: ${x.hidden} coordinates × ${BITS_PER_COORDINATE} bits (float16) = ${bits} bits, at log2 ${x.vocabSize} = ${bpt} bits per token = ${formatTokens(boundTokens)} tokens of a text the model knows nothing about.`,
    ),
    ...(hLmBits === null || hLmTokens === null
      ? []
      : [
          mark(
            'hlm',
            hLmTokens,
            `H_LM ${hLmBits.toFixed(1)} bits`,
            `The text's cross-entropy under the model (Eq. 3, the sum of -log p of each next token): H_LM = ${x.hLmNats!.toFixed(2)} nats = ${hLmBits.toFixed(1)} bits, ` +
              `${(100 * hLmShare!).toFixed(1)} % of the vector's ${bits} bits. Priced like the bound, at ${bpt} bits a token, that is ${formatTokens(hLmTokens)} tokens' worth: left of the bound, the text's information fits.`,
          ),
        ]),
  ];
  const hlmText = hLmBits === null ? 'H_LM: not known yet' : `H_LM ${hLmBits.toFixed(1)} bits (${x.hLmNats!.toFixed(2)} nats, ${(100 * hLmShare!).toFixed(1)} % of the bits, ≈ ${formatTokens(hLmTokens!)} tokens at ${bpt} bits each)`;
  const caption = `best ${x.best} / ${x.length} tokens; bound ${x.hidden} × ${BITS_PER_COORDINATE} bits / log2 ${x.vocabSize} = ${formatTokens(boundTokens)} tokens (${bits} bits); ${hlmText}`;
  return { max, boundTokens, bits, bitsPerToken, hLmBits, hLmTokens, hLmShare, marks, caption };
}
