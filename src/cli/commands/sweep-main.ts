/** `protolab sweep`: its flags read, then either its plan (--plan) or the sweep itself, on this shard (--shard I/N) or all of it. */
import { UsageError } from '../errors.ts';
import { loadCliModel } from '../model-dir.ts';
import { parseSweepFlags } from './sweep-flags.ts';
import { runSweepCommand, printSweep, sweepJson, SweepAborted } from './sweep.ts';
import { runPlan, printPlan } from './sweep-plan.ts';
import { decodeEncoderBytes } from '../../encoder/file.ts';
import { decodeUniversalMBytes } from '../../prototokens/universal-m.ts';
import { SourceError } from '../../datasets/sources.ts';

export async function sweepMain(rest: string[], progress: (msg: string) => void): Promise<number> {
  const f = parseSweepFlags(rest);
  if (f.plan) {
    try {
      const p = await runPlan(f, progress);
      process.stdout.write((f.json ? JSON.stringify(p) : printPlan(p, f.shard)) + '\n');
      return 0;
    } catch (e) {
      if (e instanceof SourceError) throw new UsageError(`--source: ${e.message}`);
      throw e;
    }
  }
  const loaded = await loadCliModel(f.model, progress, { revision: f.revision, weights: f.weights });
  progress('');
  const ctl = new AbortController();
  const onSignal = () => ctl.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await runSweepCommand(
      loaded,
      {
        ...f,
        init: f.progressive ? 'progressive' : f.m ? (f.m.freeze ? 'universal-m frozen' : 'universal-m') : f.encoder ? 'encoder' : 'normal',
        universalM: f.m ? (await decodeUniversalMBytes(f.m.bytes, f.m.path, loaded.model)).m : undefined,
        encoder: f.encoder ? await decodeEncoderBytes(f.encoder.bytes, f.encoder.path, loaded.model) : undefined,
      },
      ctl.signal,
    );
    process.stdout.write((f.json ? JSON.stringify(sweepJson(r)) : printSweep(r, f.out, f.shard)) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof SweepAborted) {
      process.stderr.write(`protolab: interrupted; what finished is in ${f.out}: run the same command again to continue.\n`);
      return 130;
    }
    if (e instanceof SourceError) throw new UsageError(`--source: ${e.message}`);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
