import { resolve } from 'node:path';
import { loadCliModel, type LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { COMMON, parse, positiveInt } from '../args.ts';
import { flagOptions, settingsFromFlags } from '../settings-flags.ts';
import { checkSolutionOut } from '../solution-out.ts';
import { sourceByName } from '../../datasets/node/sources.ts';
import { SourceError } from '../../datasets/sources.ts';
import { PAPER_SETTINGS, RUN_FIELDS } from '../../shared/run-settings.ts';
import { UNIVERSAL_M_FORMAT } from '../../prototokens/universal-m.ts';
import { sourceTexts } from './encoder.ts';
import { clearProgress } from '../progress-bar.ts';
import { writeFileAtomic } from '../solution-out.ts';
import type { TextSource } from '../../datasets/sources.ts';
import type { ProtoSettings } from '../../shared/run-settings.ts';
import { encodeUniversalM, trainUniversalM, universalMMeta } from '../../prototokens/universal-m.ts';

export interface UniversalMResult {
  model: string;
  out: string;
  source: string;
  length: number;
  texts: { id: string; correct: number }[];
  /** Mean correct fraction over the training texts with the final m. */
  accuracy: number;
  steps: number;
  seconds: number;
  stopped_by: string;
}

/**
 * `protolab universal-m`: K texts of `length` tokens from a source, one m trained over all of them
 * (each text its own e), written to `out` (checked before the model loaded).
 */
export async function runUniversalM(
  { model, tokenizer }: LoadedCliModel,
  o: { source: TextSource; sourceName: string; texts: number; length: number; textSeed: number; settings: ProtoSettings; out: string },
): Promise<UniversalMResult> {
  const full = await sourceTexts({ model, tokenizer }, o.source, o.sourceName, o.texts, o.length, o.textSeed);
  const targets = full.map((t) => t.tokens);
  const r = await trainUniversalM(model, targets, o.settings);
  clearProgress();
  const accuracy = r.correct.reduce((a, c) => a + c / o.length, 0) / targets.length;
  const meta = universalMMeta(model, { length: o.length, source: o.sourceName, textIds: full.map((t) => t.id), steps: r.steps, seed: o.settings.seed, lr: o.settings.lr, accuracy });
  writeFileAtomic(o.out, encodeUniversalM({ m: r.m, meta }));
  return {
    model: model.id,
    out: resolve(o.out),
    source: o.sourceName,
    length: o.length,
    texts: full.map((t, i) => ({ id: t.id, correct: r.correct[i] })),
    accuracy,
    steps: r.steps,
    seconds: r.seconds,
    stopped_by: r.stoppedBy,
  };
}

export function printUniversalM(r: UniversalMResult): string {
  const solved = r.texts.filter((t) => t.correct === r.length).length;
  return [
    `model     ${r.model}`,
    `texts     ${r.texts.length} of ${r.length} tokens from ${r.source}; ${solved} reproduced whole with the one m`,
    `accuracy  ${(100 * r.accuracy).toFixed(1)} % mean after ${r.steps} steps, ${r.seconds.toFixed(1)} s (${r.stopped_by})`,
    `saved     ${r.out}`,
  ].join('\n');
}

export const UNIVERSAL_M_USAGE = `  protolab universal-m --model M --source pg19|random|generated|recent|pg19-all|DIR --texts K --length N
                       [RUN SETTINGS] [--text-seed K] --out FILE [--force] [--json]`;

/** The command: flags checked (and --out) before the model loads, then training and the file. */
export async function universalMMain(argv: string[], progress: (msg: string) => void): Promise<string> {
  const { values } = parse(argv, {
    ...COMMON,
    ...flagOptions(RUN_FIELDS),
    source: { type: 'string' },
    texts: { type: 'string' },
    length: { type: 'string' },
    'text-seed': { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
  });
  for (const [flag, what] of [['model', 'M'], ['source', 'SRC'], ['texts', 'K (number of texts)'], ['length', 'N (tokens per text)'], ['out', 'FILE']] as const) {
    if (values[flag] === undefined) throw new UsageError(`--${flag} ${what} is required (see protolab --help).`);
  }
  const texts = positiveInt('--texts', values.texts as string);
  const length = positiveInt('--length', values.length as string);
  const textSeed = values['text-seed'] !== undefined ? Number(values['text-seed']) : 0;
  if (!Number.isSafeInteger(textSeed) || textSeed < 0) throw new UsageError(`--text-seed must be a whole number from 0, got "${values['text-seed']}".`);
  const settings = settingsFromFlags(RUN_FIELDS, values, PAPER_SETTINGS);
  const out = checkSolutionOut(values.out as string, values.force === true, { format: UNIVERSAL_M_FORMAT, name: 'universal m' });
  let source;
  try {
    source = sourceByName(values.source as string);
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(`--source: ${e.message}`);
    throw e;
  }
  const loaded = await loadCliModel(values.model as string, progress, { revision: values.revision, weights: values.weights });
  progress('');
  const r = await runUniversalM(loaded, { source, sourceName: values.source as string, texts, length, textSeed, settings, out });
  return values.json ? JSON.stringify(r) : printUniversalM(r);
}
