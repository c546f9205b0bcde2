/**
 * Where a sweep's attempts start (issue 19), beside the sweep itself (sweep.ts): a progressive
 * rung from the previous rung's stored best vectors, or every attempt with a universal m from a
 * file (frozen, or as m's start).
 */
import type { ProtoVectors } from '../../prototokens/trainer.ts';
import { base64ToFloat32, float32ToBase64 } from '../../util/base64.ts';
import { fnv, type SweepInit, type SweepRecord } from '../records.ts';
import { MethodUnavailableError } from './methods.ts';
import type { EncoderParts } from '../../encoder/file.ts';
import { oneshotMethod, type SweepMethod } from './methods.ts';
import type { SweepOptions } from './sweep.ts';

/** The store holds results of this very sweep that do not fit (other tokens or other batches). */
export class SweepConflict extends Error {
  override name = 'SweepConflict';
}

/** Why these options cannot run progressively, or null. */
export function progressiveProblem(o: { method?: SweepMethod; share?: SweepOptions['share']; pack?: number }): string | null {
  if ((o.method ?? oneshotMethod).name !== 'oneshot') return 'Progressive starts warm-start the proto-tokens e and m of the one-shot method; the memory-token method has none.';
  if ((o.share ?? 'none') !== 'none') return 'Progressive starts are for texts that share nothing: a shared vector has no one previous best to start from.';
  // A text solved early in a packed batch keeps training (its kept best moves to lower losses)
  // while the others run on: its next length would start from steps no record counts.
  if ((o.pack ?? 1) > 1) return 'Progressive sweeps train one text per batch: a text solved early in a packed batch would keep training, and its next length would start from steps its record does not count.';
  return null;
}

/** A record's stored best vectors, one pair per seed, as the next rung's starting vectors. */
export function storedVectors(r: SweepRecord): ProtoVectors[] {
  return (r.vectors ?? []).map((v) => {
    const e = base64ToFloat32(v.e);
    const m = base64ToFloat32(v.m);
    if (!e || !m) throw new SweepConflict(`The results file has ${r.text} at ${r.length} tokens without readable vectors; write to another results file.`);
    return { e, m };
  });
}

/** The S starting pairs of a text: its previous record's stored vectors, or S draws (null) on its first rung. */
export function startsOf(prev: SweepRecord | undefined, S: number, d: number): (ProtoVectors | null)[] {
  if (!prev) return Array.from({ length: S }, () => null);
  const v = storedVectors(prev);
  if (v.length !== S || v.some((x) => x.e.length !== d || x.m.length !== d)) {
    throw new SweepConflict(`The results file has ${prev.text} at ${prev.length} tokens with vectors that do not fit this sweep (${v.length} seeds of width ${v[0]?.e.length}, not ${S} of ${d}); write to another results file.`);
  }
  return v;
}

/** A progressive record's own fields: text ti's best vectors per seed, the rung it started from, and what the start already got right. */
export function progressiveFields(best: ProtoVectors[] | undefined, startCorrect: number[] | undefined, prev: SweepRecord | undefined, ti: number, S: number): Pick<SweepRecord, 'vectors' | 'from' | 'startCorrect'> {
  if (!best) throw new Error('The method gave no vectors to continue from.');
  return {
    vectors: best.slice(ti * S, (ti + 1) * S).map((v) => ({ e: float32ToBase64(v.e), m: float32ToBase64(v.m) })),
    ...(prev ? { from: prev.length } : {}),
    ...(prev && startCorrect ? { startCorrect: startCorrect.slice(ti * S, (ti + 1) * S) } : {}),
  };
}

/** A universal m's id in a sweep key: a hash of its float32 bits. */
export function universalMId(m: Float32Array): string {
  return fnv(float32ToBase64(m));
}

/** The m every attempt reuses under a universal-m init (and whether it is frozen), after checking the options allow it; null otherwise. */
export function universalStart(init: SweepInit, m: Float32Array | undefined, method: SweepMethod, share: SweepOptions['share']): { m: Float32Array; frozen: boolean } | null {
  if (!init.startsWith('universal-m')) {
    if (m) throw new MethodUnavailableError(`A universal m was given, but the sweep's init is ${init}.`);
    return null;
  }
  if (!m) throw new MethodUnavailableError(`init ${init} needs the universal m (protolab universal-m makes one).`);
  if (method.name !== 'oneshot') throw new MethodUnavailableError('A universal m is an m of the one-shot method; the memory-token method has none.');
  if ((share ?? 'none') !== 'none') throw new MethodUnavailableError('A universal m is reused by texts that share nothing else; leave out --share.');
  return { m, frozen: init === 'universal-m frozen' };
}

/** An encoder's id in a sweep key: a hash of its parameters' float32 bits. */
export function encoderId(enc: EncoderParts): string {
  return fnv(float32ToBase64(enc.theta));
}

/**
 * The encoder every attempt starts from under the encoder init (its prediction for each text, the
 * same for every seed), after checking the options allow it; null otherwise. An encoder encodes
 * texts of its one length, so every length of the sweep must be that one.
 */
export function encoderStart(init: SweepInit, enc: EncoderParts | undefined, method: SweepMethod, share: SweepOptions['share'], lengths: readonly number[] | undefined): EncoderParts | null {
  if (init !== 'encoder') {
    if (enc) throw new MethodUnavailableError(`An encoder was given, but the sweep's init is ${init}.`);
    return null;
  }
  if (!enc) throw new MethodUnavailableError('init encoder needs an encoder (protolab encoder train makes one).');
  if (method.name !== 'oneshot') throw new MethodUnavailableError('An encoder predicts the proto-tokens of the one-shot method; the memory-token method has none.');
  if ((share ?? 'none') !== 'none') throw new MethodUnavailableError('An encoder predicts each text its own vectors; leave out --share.');
  const N = enc.features.length;
  if (!lengths || lengths.some((L) => L !== N)) throw new MethodUnavailableError(`This encoder encodes texts of ${N} tokens: run the sweep at --lengths ${N} only.`);
  return enc;
}
