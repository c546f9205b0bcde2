/**
 * Which tokens a text's H_LM (the paper's Eq. 3) is scored on: after BOS when the model has one
 * and it fits in the positions, so the first token is counted too (a proto-token run must
 * reproduce it as well); otherwise the text alone, its first token left out (nothing predicts
 * it). One rule for the sweep's records and the page's capacity bar, so their H_LM agree. Pure.
 */
export interface EntropyInput {
  /** The ids to score in one ordinary forward pass; H_LM is the sum of their next-token NLL. */
  ids: number[];
  /** Whether the text's first token is scored (after BOS). */
  firstToken: boolean;
}

export function entropyInput(tokens: readonly number[], bos: number | null | undefined, maxPositions: number): EntropyInput {
  const withBos = bos !== null && bos !== undefined && tokens.length + 1 <= maxPositions;
  return withBos ? { ids: [bos, ...tokens], firstToken: true } : { ids: [...tokens], firstToken: false };
}
