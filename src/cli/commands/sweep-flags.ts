/**
 * `protolab sweep`'s flags, read and checked before anything is loaded: every wrong combination
 * is one line naming the flag and what to do. The sweep itself (sweep.ts) and its plan
 * (sweep-plan.ts) take the result.
 */
import { COMMON, parse, positiveInt } from '../args.ts';
import { UsageError } from '../errors.ts';
import { flagOptions, flagValue, settingsFromFlags } from '../settings-flags.ts';
import { readSolutionFile } from '../input-file.ts';
import { checkOut, type SweepArgs } from './sweep.ts';
import { PAPER_SETTINGS, RUN_FIELDS, type ProtoSettings } from '../../shared/run-settings.ts';
import { EXPERIMENT_FIELDS } from '../../shared/experiment-spec.ts';
import { parseWholeList } from '../../shared/fields.ts';
import { sourceByName } from '../../datasets/node/sources.ts';
import { SourceError } from '../../datasets/sources.ts';
import { methodByName, MethodUnavailableError } from '../../experiments/jobs/methods.ts';
import { parseShard, ShardError, type Shard } from '../../experiments/shard.ts';
import { parseStepTimes, type StepTimePoint } from '../../experiments/step-cost.ts';

/** The sweep's arguments (sweep.ts) as read from the flags, before any model is loaded. */
export interface SweepFlags extends Omit<SweepArgs, 'init' | 'universalM' | 'encoder'> {
  model?: string;
  shape?: string;
  revision?: string;
  weights?: unknown;
  json: boolean;
  progressive: boolean;
  /** --m FILE and --encoder FILE: their bytes, decoded once the model is loaded. */
  m?: { path: string; bytes: Uint8Array; freeze: boolean };
  encoder?: { path: string; bytes: Uint8Array };
  /** --plan: print the work list and its cost instead of running. */
  plan?: { stepTimes?: StepTimePoint[]; tflops?: number; expectCapacity?: number };
}

const PLAN_ONLY = ['ms-per-step', 'tflops', 'expect-capacity', 'shape'] as const;

export function parseSweepFlags(rest: string[]): SweepFlags {
  const { values } = parse(rest, {
    ...COMMON,
    source: { type: 'string' },
    texts: { type: 'string' },
    seeds: { type: 'string' },
    share: { type: 'string' },
    group: { type: 'string' },
    method: { type: 'string' },
    'memory-tokens': { type: 'string' },
    ...flagOptions(RUN_FIELDS),
    lengths: { type: 'string' },
    'max-length': { type: 'string' },
    'keep-going': { type: 'boolean' },
    'all-seeds': { type: 'boolean' },
    pack: { type: 'string' },
    'text-seed': { type: 'string' },
    ...flagOptions({ progressive: EXPERIMENT_FIELDS.progressive }),
    m: { type: 'string' },
    'freeze-m': { type: 'boolean' },
    encoder: { type: 'string' },
    out: { type: 'string' },
    shard: { type: 'string' },
    plan: { type: 'boolean' },
    'ms-per-step': { type: 'string' },
    tflops: { type: 'string' },
    'expect-capacity': { type: 'string' },
    shape: { type: 'string' },
  });
  const need = (flag: string, what: string) => {
    if (values[flag] === undefined) throw new UsageError(`--${flag} ${what} is required (see protolab --help).`);
    return values[flag] as string;
  };
  const plan = values.plan === true;
  for (const f of PLAN_ONLY) if (!plan && values[f] !== undefined) throw new UsageError(`--${f} is a setting of --plan (the cost of a sweep before it runs); add --plan, or leave it out.`);
  if (values.shape !== undefined && values.model !== undefined) throw new UsageError('Give --model DIR or --shape NAME, not both.');
  if (values.shape === undefined) need('model', 'DIR');
  const sourceName = need('source', 'pg19|random|generated|recent|DIR');
  need('texts', 'K (number of texts)');
  need('seeds', 'S (restarts per text)');
  const texts = flagValue(EXPERIMENT_FIELDS.texts, values)!;
  const seeds = flagValue(EXPERIMENT_FIELDS.seeds, values)!;
  if (values.share !== undefined && values.share !== 'm' && values.share !== 'e') throw new UsageError(`--share must be m or e, got "${values.share}".`);
  const share = (values.share as 'm' | 'e' | undefined) ?? 'none';
  if (share !== 'none' && values.group === undefined) throw new UsageError(`--share ${share} needs --group G: how many texts share one ${share}.`);
  if (share === 'none' && values.group !== undefined) throw new UsageError('--group needs --share m or --share e (which vector the group shares).');
  const group = values.group !== undefined ? positiveInt('--group', values.group as string) : 1;
  if (share !== 'none' && values.pack !== undefined) throw new UsageError('--pack is for texts that share nothing; with --share the group is the batch.');
  const pack = values.pack !== undefined ? positiveInt('--pack', values.pack as string) : 1;
  if (values.lengths !== undefined && values['max-length'] !== undefined) throw new UsageError('Give --lengths or --max-length, not both.');
  const lengthsText = flagValue(EXPERIMENT_FIELDS.lengths, values);
  const lengths = lengthsText !== undefined ? (parseWholeList(lengthsText, 1, Infinity) as number[]) : undefined;
  // 0: up to the model's positions, as when the flag is left out.
  const maxLength = flagValue(EXPERIMENT_FIELDS.maxLength, values) || undefined;
  // --seed is the base of the restart seeds here, not one run's seed.
  const { seed: seedBase, ...runSettings } = settingsFromFlags(RUN_FIELDS, values, PAPER_SETTINGS);
  const settings: ProtoSettings = { ...runSettings, seed: 0 };
  const methodName = flagValue(EXPERIMENT_FIELDS.method, values) ?? 'oneshot';
  if (methodName === 'memory') {
    if (share !== 'none') throw new UsageError('--method memory shares nothing between texts (Kuratov et al.); leave out --share and --group.');
    for (const f of ['layout', 'first-target']) if (values[f] !== undefined) throw new UsageError(`--${f} is a setting of the one-shot method; --method memory has no proto-token layout.`);
  } else if (values['memory-tokens'] !== undefined) throw new UsageError('--memory-tokens goes with --method memory.');
  const memoryTokens = flagValue(EXPERIMENT_FIELDS.memoryTokens, values);
  const progressive = flagValue(EXPERIMENT_FIELDS.progressive, values) === true;
  if (progressive && methodName === 'memory') throw new UsageError('--progressive warm-starts the proto-tokens e and m of the one-shot method; --method memory has none.');
  if (progressive && share !== 'none') throw new UsageError('--progressive is for texts that share nothing (a shared vector has no one previous best to start from); leave out --share and --group.');
  if (progressive && pack > 1) throw new UsageError('--progressive trains one text per batch (a text solved early in a pack would keep training past what its record counts); leave out --pack.');
  if (values['freeze-m'] && values.m === undefined) throw new UsageError('--freeze-m keeps the m of --m FILE fixed; give --m FILE.');
  if (values.m !== undefined && (progressive || methodName === 'memory' || share !== 'none')) throw new UsageError('--m FILE gives every text the one universal m: it goes with the one-shot method alone, without --progressive or --share.');
  const m = values.m !== undefined ? { path: values.m as string, bytes: readSolutionFile('--m', values.m as string), freeze: values['freeze-m'] === true } : undefined;
  if (values.encoder !== undefined && (progressive || m)) throw new UsageError('--encoder FILE starts every attempt from its prediction: leave out --progressive and --m.');
  const encoder = values.encoder !== undefined ? { path: values.encoder as string, bytes: readSolutionFile('--encoder', values.encoder as string) } : undefined;
  let method;
  try {
    method = methodByName(methodName, { memoryTokens });
  } catch (e) {
    if (e instanceof MethodUnavailableError) throw new UsageError(e.message);
    throw e;
  }
  let shard: Shard | undefined;
  try {
    shard = values.shard !== undefined ? parseShard(values.shard as string) : undefined;
  } catch (e) {
    if (e instanceof ShardError) throw new UsageError(`--shard: ${e.message}`);
    throw e;
  }
  const out = (values.out as string | undefined) ?? 'results.jsonl';
  if (!plan) checkOut(out);
  let source;
  try {
    source = sourceByName(sourceName);
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(`--source: ${e.message}`);
    throw e;
  }
  return {
    model: values.model as string | undefined,
    shape: values.shape as string | undefined,
    revision: values.revision as string | undefined,
    weights: values.weights,
    json: values.json === true,
    source,
    sourceName,
    texts,
    seeds,
    share,
    group,
    pack,
    method,
    progressive,
    settings,
    seedBase,
    lengths,
    maxLength,
    keepGoing: values['keep-going'] === true,
    stop: values['all-seeds'] ? 'all-seeds' : 'text',
    textSeed: flagValue(EXPERIMENT_FIELDS.textSeed, values) ?? 0,
    m,
    encoder,
    out,
    shard,
    ...(plan ? { plan: planFlags(values) } : {}),
  };
}

function planFlags(values: Record<string, string | boolean | undefined>): NonNullable<SweepFlags['plan']> {
  if (values['ms-per-step'] !== undefined && values.tflops !== undefined) throw new UsageError('Give --ms-per-step or --tflops, not both.');
  let stepTimes: StepTimePoint[] | undefined;
  if (values['ms-per-step'] !== undefined) {
    const parsed = parseStepTimes(values['ms-per-step'] as string);
    if (typeof parsed === 'string') throw new UsageError(`--ms-per-step ${parsed}.`);
    stepTimes = parsed;
  }
  let tflops: number | undefined;
  if (values.tflops !== undefined) {
    tflops = Number(values.tflops);
    if (!/^\d+(\.\d+)?$/u.test(values.tflops as string) || !(tflops > 0)) throw new UsageError(`--tflops must be the sustained TFLOP/s to assume (e.g. 20), got "${values.tflops}".`);
  }
  if (values.shape !== undefined && stepTimes === undefined && tflops === undefined) {
    throw new UsageError('--shape loads no weights, so no step can be timed: give --ms-per-step (measured on your GPU) or --tflops (a sustained rate to assume).');
  }
  const expectCapacity = values['expect-capacity'] !== undefined ? positiveInt('--expect-capacity', values['expect-capacity'] as string) : undefined;
  if (expectCapacity !== undefined && values['keep-going']) throw new UsageError('--expect-capacity is for capacity sweeps (a text stops at its first failure); --keep-going tries every length anyway.');
  return { stepTimes, tflops, expectCapacity };
}
