import { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Model } from './model.ts';
import { TransformerSession, NONE } from './transformer.ts';
import { embedTokens } from './token-embedding.ts';

export interface TokenEval {
  /** nll[i] = -log P(tokens[i+1] | tokens[..i]) in nats. */
  nll: number[];
  /** H_LM of the paper (Eq. 3): the sum of nll. */
  hLm: number;
  /** argmax[i]: the model's most likely next token after tokens[..i]. */
  argmax: number[];
  /** Full logits [tokens.length, vocab] when asked for. */
  logits?: Float32Array;
}

/** Writes token embeddings of `ids` into the session inputs (one dispatch per embedding chunk). */
export function recordTokenEmbeddings(p: Program, model: Model, session: TransformerSession, ids: Tensor): void {
  embedTokens(p, 'embed', model, ids, session.inputs, session.R);
}

/** Ordinary autoregressive scoring of a token sequence in one forward pass. */
export async function evaluateTokens(model: Model, tokens: readonly number[], opts: { keepLogits?: boolean } = {}): Promise<TokenEval> {
  const { gpu, spec } = model;
  if (tokens.length === 0) throw new Error('Nothing to evaluate: the text has no tokens.');
  for (const t of tokens) {
    if (!Number.isInteger(t) || t < 0 || t >= spec.vocabSize) throw new Error(`Token id ${t} is outside this model's vocabulary (0..${spec.vocabSize - 1}).`);
  }
  const N = tokens.length;
  const session = new TransformerSession(model, { batch: 1, seqLen: N, withGrad: false, keepLogits: opts.keepLogits });
  const ids = gpu.createTensor([N], 'u32', 'token_ids');
  try {
    gpu.write(ids, Uint32Array.from(tokens));
    const targets = new Uint32Array(N).fill(NONE);
    for (let i = 0; i + 1 < N; i++) targets[i] = tokens[i + 1];
    gpu.write(session.targets, targets);
    const p = new Program(gpu, 'evaluate');
    recordTokenEmbeddings(p, model, session, ids);
    session.recordForward(p);
    p.run();
    const reads = [session.loss, session.argmax, ...(opts.keepLogits ? [session.logits!] : [])];
    const [loss, argmax, logits] = await gpu.readMany(reads);
    p.destroy();
    const nll = Array.from(loss.subarray(0, N - 1));
    return {
      nll,
      hLm: nll.reduce((s, x) => s + x, 0),
      argmax: Array.from(argmax),
      logits: logits as Float32Array | undefined,
    };
  } finally {
    gpu.destroyTensor(ids);
    session.destroy();
  }
}
