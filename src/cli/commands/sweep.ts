import type { EncoderParts } from '../../encoder/file.ts';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { progressLine, clearProgress } from '../progress-bar.ts';
import type { TextSource } from '../../datasets/sources.ts';
import { runSweep, SweepAborted, type SweepProgress, type SweepResult } from '../../experiments/jobs/sweep.ts';
import { jsonlStore, lockResultsFile, resultsFileProblem } from '../../experiments/node/jsonl-store.ts';
import type { SweepMethod } from '../../experiments/jobs/methods.ts';
import type { StopRule, SweepInit } from '../../experiments/records.ts';
import { summarise, reportJson, renderTable } from '../../experiments/report.ts';
import type { Share } from '../../prototokens/problem.ts';
import type { ProtoSettings } from '../../shared/run-settings.ts';
import { shardLabel, type Shard } from '../../experiments/shard.ts';

export interface SweepArgs {
  source: TextSource;
  sourceName: string;
  texts: number;
  seeds: number;
  share: Share;
  group: number;
  method: SweepMethod;
  /** 'progressive' (--progressive): each rung starts from the previous rung's best e and m. */
  init?: SweepInit;
  /** The m of the universal-m inits (--m FILE). */
  universalM?: Float32Array;
  encoder?: EncoderParts;
  settings: ProtoSettings;
  lengths?: number[];
  maxLength?: number;
  keepGoing: boolean;
  stop: StopRule;
  pack: number;
  /** --shard I/N: this worker's part of the sweep. */
  shard?: Shard;
  textSeed: number;
  seedBase: number;
  out: string;
}

/** Checks --out before anything is loaded. */
export function checkOut(out: string): string {
  const path = resolve(out);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--out: ${path} is a folder; give a file for the results, e.g. --out ${out.replace(/\/$/u, '')}/results.jsonl.`);
  const problem = resultsFileProblem(path);
  if (problem) throw new UsageError(`--out: ${problem}`);
  return path;
}

function describeProgress(p: SweepProgress): string {
  if (p.phase === 'texts') return 'preparing texts';
  if (p.phase === 'entropy') return `H_LM of ${p.texts[0]}`;
  if (p.phase === 'done') return 'done';
  const who = p.texts.length === 1 ? p.texts[0] : `${p.texts.length} texts`;
  return `${who} N=${p.length} step ${p.step}/${p.maxSteps} acc ${p.accuracy.toFixed(2)}`;
}

export async function runSweepCommand({ model, tokenizer }: LoadedCliModel, a: SweepArgs, signal: AbortSignal): Promise<SweepResult> {
  let release: () => void;
  try {
    // Said once, as a line: a pod's log is no terminal, and a silent minute looks like a hang.
    let said = false;
    release = lockResultsFile(a.out, undefined, (msg) => {
      if (!said) process.stderr.write(`protolab: ${msg}\n`);
      said = true;
    });
  } catch (e) {
    throw new UsageError(`--out: ${(e as Error).message}`);
  }
  try {
    return await runSweep({
      model,
      tokenizer,
      source: a.source,
      sourceName: a.sourceName,
      texts: a.texts,
      seeds: a.seeds,
      share: a.share,
      group: a.group,
      method: a.method,
      init: a.init,
      universalM: a.universalM,
      encoder: a.encoder,
      settings: a.settings,
      lengths: a.lengths,
      maxLength: a.maxLength,
      keepGoing: a.keepGoing,
      stop: a.stop,
      pack: a.pack,
      shard: a.shard,
      textSeed: a.textSeed,
      seedBase: a.seedBase,
      store: jsonlStore(a.out),
      signal,
      // The bar counts text x length attempts against the most there can be (texts stop at their first failure).
      onProgress: (p) => progressLine(p.attempts, p.maxAttempts, describeProgress(p)),
    });
  } finally {
    clearProgress();
    release();
  }
}

export { SweepAborted };

/** The sweep's per-text outcome, printed at the end. */
export function printSweep(r: SweepResult, out: string, shard?: Shard): string {
  const [sum] = summarise(r.records);
  const rows = (sum?.texts ?? []).map((t) => [t.text, String(t.capacity), String(t.cTokens), t.hLm.toFixed(1), t.tried.join(' '), String(t.steps), t.complete ? '' : 'unfinished']);
  const where = `sweep ${r.sweep}${r.key.init && r.key.init !== 'normal' ? `, ${r.key.init}` : ''}${shard ? `, shard ${shardLabel(shard)}` : ''}`;
  if (shard && r.texts.length === 0) return `Shard ${shardLabel(shard)} has no texts: the sweep has fewer parts than ${shard.count} shards (${where}). Nothing to do.`;
  return [renderTable(['text', 'capacity', 'C_tokens', 'H_LM (nats)', 'lengths tried', 'steps', ''], rows, 'text'), `${r.ran} attempts run, ${r.reused} found in ${out} (${where}).`].join('\n');
}

export function sweepJson(r: SweepResult): Record<string, unknown> {
  return { ...reportJson(summarise(r.records)), ran: r.ran, reused: r.reused };
}
