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

const correct = (decoded: readonly number[], ids: readonly number[]) => decoded.filter((t, i) => t === ids[i]).length;

/** The trainer of `method` for one text, and how its result is finished. */
export async function startMethod(model: Model, ids: number[], settings: ProtoSettings, method: RunMethod): Promise<MethodRun> {
  const N = ids.length;
  if (method.kind === 'memory') {
    const { K } = method;
    return methodRun(await MemoryTrainer.create(model, memorySingle(ids, settings.seed, K), settings), async (best: MemoryVectors, run) => {
      const decodedIds = await decodeFromMemory(model, best, N);
      const meta: MemorySolutionMeta = { ...runMeta(model, settings, { ...run, cTokens: correct(decodedIds, ids) }), K };
      return { decodedIds, meta, bytes: encodeMemorySolution({ memory: best.memory, meta }) };
    });
  }
  return methodRun(await ProtoTrainer.create(model, singleText(ids, settings.seed), settings), async (best: ProtoVectors, run) => {
    const decodedIds = await decodeOnePass(model, best, settings.layout, settings.firstTarget, N);
    const meta = solutionMeta(model, settings, { ...run, cTokens: correct(decodedIds, ids) });
    return { decodedIds, meta, bytes: encodeSolution({ e: best.e, m: best.m, meta }) };
  });
}
