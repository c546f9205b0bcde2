import { loadavg } from 'node:os';
import type { LoadedCliModel } from '../model-dir.ts';
import { UsageError } from '../errors.ts';
import { readSolutionFile } from '../input-file.ts';
import { decodeAnySolutionBytes } from '../../memory/solution-file.ts';
import { checkSolutionFits } from '../../prototokens/solution-file.ts';
import { measureThroughput, subjectOf, type ThroughputRecord, type ThroughputTiming } from '../../throughput/throughput.ts';

export interface ThroughputCliResult extends ThroughputRecord {
  solution: string;
  solutionMethod: 'oneshot' | 'memory';
}

/** Times the solution's own method and the other method at the same length (stand-in vectors). */
export async function runThroughput({ model }: LoadedCliModel, file: string | undefined, opts: { repeats: number; K?: number }): Promise<ThroughputCliResult> {
  if (!file) throw new UsageError('--solution FILE is required (a .safetensors solution of either method, from compress or the lab).');
  const any = await decodeAnySolutionBytes(readSolutionFile('--solution', file), file);
  checkSolutionFits(any.solution.meta, model);
  const subject = subjectOf(any);
  if (any.method === 'memory' && opts.K !== undefined && opts.K !== any.solution.meta.K) {
    throw new UsageError(`--memory-tokens ${opts.K}: this memory solution has ${any.solution.meta.K} memory vectors; leave the flag out.`);
  }
  const r = await measureThroughput(model, subject, { repeats: opts.repeats, K: opts.K, machineLoad: () => loadavg()[0] });
  return { solution: file, solutionMethod: any.method, ...r };
}

const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(1000 * s).toFixed(1)} ms`);

function line(name: string, t: ThroughputTiming): string {
  const how = t.method === 'oneshot' ? `1 forward pass over ${t.positions} positions` : `prefill of ${t.K} + ${t.tokens - 1} cached steps`;
  const what = t.reproduced === null ? 'stand-in vectors, timing only' : `reproduces ${t.reproduced}/${t.tokens} tokens`;
  return `${name.padEnd(15)}${how.padEnd(38)}median ${ms(t.seconds).padStart(9)}  ${t.tokensPerSecond.toFixed(0).padStart(8)} tokens/s  (${what})`;
}

export function printThroughput(r: ThroughputCliResult): string {
  return [
    `model          ${r.model} on ${r.adapter}`,
    `text           ${r.N} tokens; solution ${r.solution} (${r.solutionMethod === 'memory' ? `memory, K = ${r.memory.K}` : `one-shot, layout ${r.oneShot.layout}`})`,
    line('one-shot', r.oneShot),
    line('autoregressive', r.memory),
    `speedup        one-shot throughput is ${r.speedup.toFixed(1)}x the autoregressive one (median of ${r.repeats} runs each${r.loadAverage !== null ? `, load average ${r.loadAverage.toFixed(2)}` : ''})`,
  ].join('\n');
}
