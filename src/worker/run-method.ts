/**
 * What differs between the page's two kinds of compression run: the trainer (both are the one
 * core, prototokens/input-trainer.ts), and how the best vectors become the decoded text and a
 * solution file. Proto-tokens decode in one forward pass; memory tokens decode autoregressively
 * from the memory alone (KV cache), which is what their accuracy counts.
 */
import type { Model } from '../model/model.ts';
import type { InputTrainer } from '../prototokens/input-trainer.ts';
import { ProtoTrainer, type ProtoVectors } from '../prototokens/trainer.ts';
import { singleText } from '../prototokens/problem.ts';
import { decodeOnePass } from '../prototokens/decode.ts';
import { encodeSolution, runMeta, solutionMeta, type RunOutcome, type SolutionMeta } from '../prototokens/solution-file.ts';
import { MemoryTrainer, type MemoryVectors } from '../memory/trainer.ts';
import { memorySingle } from '../memory/problem.ts';
import { decodeFromMemory } from '../memory/decode.ts';
import { encodeMemorySolution, type MemorySolutionMeta } from '../memory/solution-file.ts';
import type { ProtoSettings } from '../shared/run-settings.ts';
import type { RunMethod } from '../shared/run-method.ts';

export interface Finished {
  decodedIds: number[];
  meta: SolutionMeta | MemorySolutionMeta;
  bytes: Uint8Array;
}

type Outcome = Omit<RunOutcome, 'cTokens'>;

/** A method's trainer and its finish, with the vectors' type left inside: the run hands finish what bestVectors gave. */
export interface MethodRun {
  trainer: InputTrainer<unknown>;
  finish(best: unknown, run: Outcome): Promise<Finished>;
}

function methodRun<V>(trainer: InputTrainer<V>, finish: (best: V, run: Outcome) => Promise<Finished>): MethodRun {
  return { trainer, finish: (best, run) => finish(best as V, run) };
}

/**
 * A one-shot run that starts from an encoder's prediction instead of the seeded draw: its e and m
 * (absent on a resume, whose restored state replaces the start anyway) and the tokens that start
 * got right before any step, which its solution records as init 'encoder' and initial_accuracy.
 */
export interface EncoderFrom {
  initialCorrect: number;
  vectors?: { e: Float32Array; m: Float32Array };
}

const correct = (decoded: readonly number[], ids: readonly number[]) => decoded.filter((t, i) => t === ids[i]).length;

/** The trainer of `method` for one text, and how its result is finished. */
export async function startMethod(model: Model, ids: number[], settings: ProtoSettings, method: RunMethod, encoder?: EncoderFrom): Promise<MethodRun> {
  const N = ids.length;
  if (encoder && method.kind !== 'oneshot') throw new Error('An encoder predicts proto-tokens e and m; a memory-token run cannot start from it. Pick the proto-token method, or unload the encoder.');
  if (method.kind === 'memory') {
    const { K } = method;
    return methodRun(await MemoryTrainer.create(model, memorySingle(ids, settings.seed, K), settings), async (best: MemoryVectors, run) => {
      const decodedIds = await decodeFromMemory(model, best, N);
      const meta: MemorySolutionMeta = { ...runMeta(model, settings, { ...run, cTokens: correct(decodedIds, ids) }), K };
      return { decodedIds, meta, bytes: encodeMemorySolution({ memory: best.memory, meta }) };
    });
  }
  const problem = singleText(ids, settings.seed);
  if (encoder?.vectors) problem.initial = new Map([[problem.eRow[0], encoder.vectors.e], [problem.mRow[0], encoder.vectors.m]]);
  return methodRun(await ProtoTrainer.create(model, problem, settings), async (best: ProtoVectors, run) => {
    const decodedIds = await decodeOnePass(model, best, settings.layout, settings.firstTarget, N);
    const made = solutionMeta(model, encoder ? { ...settings, init: 'encoder' } : settings, { ...run, cTokens: correct(decodedIds, ids) });
    const meta = encoder ? { ...made, initialAccuracy: encoder.initialCorrect / N } : made;
    return { decodedIds, meta, bytes: encodeSolution({ e: best.e, m: best.m, meta }) };
  });
}
