/**
 * What the frozen model makes of a text: its hidden states, read from one batched forward pass in
 * ordinary causal use (token embeddings in, position i sees tokens 0..i). The geometry view's
 * fallback text embedding and the learned encoder's features (src/encoder/features.ts) both read
 * them here.
 */
import { Program } from '../gpu/program.ts';
import type { Model } from './model.ts';
import { recordTokenEmbeddings } from './evaluate.ts';
import { NONE, TransformerSession } from './transformer.ts';
import { withOomScope } from '../gpu/oom-scope.ts';

/**
 * Hidden states [B][N·d] of B token sequences of one length N at `layer`: 0..layers-1 the residual
 * stream entering that layer (0: the embeddings), `layers` (the default) the final hidden states
 * after the last norm (Hugging Face's last_hidden_state). `advice` ends the out-of-memory message.
 */
export async function hiddenStates(model: Model, sequences: readonly (readonly number[])[], layer = model.spec.layers, advice = 'Use fewer or shorter texts.'): Promise<Float32Array[]> {
  const { gpu, spec } = model;
  const B = sequences.length;
  if (B === 0) return [];
  const N = sequences[0].length;
  if (N === 0) throw new Error('A text with no tokens has no hidden states.');
  if (!Number.isInteger(layer) || layer < 0 || layer > spec.layers) throw new Error(`Layer ${layer} does not exist: this model has hidden states at layers 0..${spec.layers}.`);
  for (const s of sequences) {
    if (s.length !== N) throw new Error(`Sequences run together must have the same length (${s.length} vs ${N} tokens).`);
    for (const t of s) if (!Number.isInteger(t) || t < 0 || t >= spec.vocabSize) throw new Error(`Token id ${t} is outside this model's vocabulary (0..${spec.vocabSize - 1}).`);
  }
  const session = await withOomScope(gpu, () => new TransformerSession(model, { batch: B, seqLen: N, withGrad: false }), (asked, why) =>
    `The hidden states of ${B} text${B === 1 ? '' : 's'} of ${N} tokens need ${asked} of GPU memory, more than the device could give (${why}). ${advice}`,
  );
  const ids = gpu.createTensor([B * N], 'u32', 'hidden_ids');
  const p = new Program(gpu, 'hidden');
  try {
    gpu.write(ids, Uint32Array.from(sequences.flat()));
    gpu.write(session.targets, new Uint32Array(B * N).fill(NONE));
    recordTokenEmbeddings(p, model, session, ids);
    session.recordForward(p);
    p.run();
    const all = await gpu.read(layer === spec.layers ? session.finalHidden : session.residual(layer));
    const w = N * spec.hidden;
    return Array.from({ length: B }, (_, b) => all.slice(b * w, (b + 1) * w));
  } finally {
    p.destroy();
    gpu.destroyTensor(ids);
    session.destroy();
  }
}
