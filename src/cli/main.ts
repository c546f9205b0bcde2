import { parseArgs } from 'node:util';
import { COMMON, TEXT, parse, positiveInt, type Values } from './args.ts';
import { UsageError } from './errors.ts';
import { cliShape, loadCliModel, loadCliShape, parseWeightsFlag } from './model-dir.ts';
import { readTokens } from './inputs.ts';
import { infoReport, loadedInfo, printInfo } from './commands/info.ts';
import { parseConfig } from '../model/config.ts';
import { createNodeGpu } from '../gpu/node.ts';
import type { WeightFormat } from '../model/weight-format.ts';
import { ASSUMED_GPU_MEMORY, autoFormat, DEFAULT_PLAN_N, NoFormatFitsError } from '../prototokens/memory-plan.ts';
import { runEval, printEval } from './commands/eval.ts';
import { runCompress, printCompress, type CompressStart } from './commands/compress.ts';
import { encoderMain, encoderStart, ENCODER_USAGE } from './commands/encoder.ts';
import { decodeEncoderBytes } from '../encoder/file.ts';
import { runDecode } from './commands/decode.ts';
import { runThroughput, printThroughput } from './commands/throughput.ts';
import { runBench, printBench } from './commands/bench.ts';
import { runCompressMemory } from './commands/compress-memory.ts';
import { PAPER_SETTINGS, RUN_FIELDS, type ProtoSettings } from '../shared/run-settings.ts';
import { MODEL_SHAPES } from '../model/shapes.ts';
import { flagHelp } from '../shared/fields.ts';
import { flagOptions, flagValue, settingsFromFlags } from './settings-flags.ts';
import { checkSolutionOut } from './solution-out.ts';
import { maxTokensForRun, ONESHOT } from '../shared/run-method.ts';
import { EXPERIMENT_FIELDS } from '../shared/experiment-spec.ts';
import { sweepMain } from './commands/sweep-main.ts';
import { runReport } from './commands/report.ts';
import { universalMMain, UNIVERSAL_M_USAGE } from './commands/universal-m.ts';
import { decodeUniversalMBytes } from '../prototokens/universal-m.ts';
import { readSolutionFile } from './input-file.ts';

const USAGE = `protolab — proto-token lab on the command line

  protolab info (--model M | --shape NAME) [--weights W] [--n N] [--json]
  protolab eval --model M (--text TEXT | --text-file F | --ids 1,2,3) [--bos] [--json]
  protolab compress --model M (--text T | --text-file F | --ids ...) [--max-tokens N] [RUN SETTINGS]
                    [--method oneshot|memory] [--memory-tokens K] [--m FILE [--freeze-m] | --encoder FILE]
                    [--out FILE [--force]] [--json]
  protolab decode --model M --solution FILE [--json]
  protolab throughput --model M --solution FILE [--repeats R] [--memory-tokens K] [--json]
  protolab bench (--model M | --shape NAME) --n N [--weights W] [--json]
  protolab sweep --model M --source pg19|random|generated|recent|pg19-all|pg19-windows|DIR --texts K --seeds S
                 [--share m|e --group G] [--method oneshot|memory [--memory-tokens K]] [RUN SETTINGS]
                 [--lengths 4,5,8 | --max-length N] [--keep-going] [--all-seeds] [--pack P] [--text-seed K]
                 [--progressive | --m FILE [--freeze-m] | --encoder FILE] [--shard I/N] [--out results.jsonl] [--json]
  protolab sweep ... --plan [--shard I/N] [--ms-per-step MS | N:MS,... | --tflops T] [--expect-capacity C] [--shape NAME] [--json]
${UNIVERSAL_M_USAGE}
${ENCODER_USAGE}
  protolab report FILE.jsonl|'GLOB' ... [--json] [--markdown] [--plots DIR | --no-plots] [--method M] [--source S]

RUN SETTINGS (compress, sweep; the page's settings have the same bounds):
${flagHelp(RUN_FIELDS).join('\n')}

EXPERIMENT SETTINGS (sweep; --memory-tokens and --repeats also compress and throughput; the page's experiments view has the same bounds):
${flagHelp(EXPERIMENT_FIELDS).join('\n')}

--model M: a Hugging Face model folder (config.json, model.safetensors or a sharded index, tokenizer.json),
  or a Hub id owner/name [--revision REV, default main]: taken from the Hugging Face cache (HF_HUB_CACHE,
  else HF_HOME/hub, else ~/.cache/huggingface/hub) with no network when it is there, else downloaded
  into it from HF_ENDPOINT (default https://huggingface.co), with HF_TOKEN for private or gated repos.
--weights W (every command that loads a model) stores the weight matrices as f32, f16, bf16, q8
  (int8, groups of 32) or q4 (4-bit, groups of 32); auto takes the most precise that fits the GPU
  memory for a text of --n tokens (info, bench; 1024 elsewhere). Default: the checkpoint's own precision.
--shard I/N (sweep): run the I-th (0 to N-1) of N disjoint parts (whole texts, or whole groups with --share);
  N workers with I = 0..N-1 cover the sweep once; each writes its own --out, and report merges them.
--plan (sweep): print the work list, the steps (at most) and the GPU-hours instead of running; step times are
  measured here per length, or given (--ms-per-step, for a full batch), or from FLOPs at --tflops.
--shape NAME (info, bench, sweep --plan): ${MODEL_SHAPES.map((s) => s.name).join(', ')} with random weights.`;

/** compress --method memory [--memory-tokens K]: the memory-token baseline instead of proto-tokens (null: one-shot). */
function memoryFlags(v: Values): { K: number } | null {
  const method = flagValue(EXPERIMENT_FIELDS.method, v) ?? 'oneshot';
  if (method === 'oneshot') {
    if (v['memory-tokens'] !== undefined) throw new UsageError('--memory-tokens needs --method memory.');
    return null;
  }
  if (v.layout !== undefined || v['first-target'] !== undefined) throw new UsageError('--layout and --first-target are proto-token settings; --method memory has none.');
  return { K: flagValue(EXPERIMENT_FIELDS.memoryTokens, v) ?? 1 };
}

function compressSettings(v: Values): ProtoSettings {
  return settingsFromFlags(RUN_FIELDS, v, PAPER_SETTINGS);
}

/** Errors are one line: a message's own lines (the texts a source left out, and why) are joined, not dropped. */
function oneLine(msg: string): string {
  return msg
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Progress goes to stderr (only on a terminal, so pipes stay clean); results to stdout. */
function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${msg}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  switch (command) {
    case 'info': {
      const { values } = parse(rest, { ...COMMON, n: { type: 'string' }, shape: { type: 'string' } });
      const n = values.n !== undefined ? positiveInt('--n', values.n as string) : DEFAULT_PLAN_N;
      let r: Record<string, unknown>;
      if (values.shape !== undefined) {
        if (values.model !== undefined) throw new UsageError('Give --model DIR or --shape NAME, not both.');
        if (values.revision !== undefined) throw new UsageError('--revision goes with --model owner/name; --shape loads nothing.');
        // The plan needs no weights: nothing is loaded, so an 8B shape answers at once.
        const shape = cliShape(values.shape as string);
        const spec = parseConfig(shape.config);
        const gpu = await createNodeGpu();
        const choice = parseWeightsFlag(values.weights);
        let format: WeightFormat;
        try {
          format = choice === undefined ? shape.checkpointFormat : choice === 'auto' ? autoFormat(spec, n, gpu.limits.maxStorageBindingBytes, gpu.limits.memoryBudgetBytes ?? ASSUMED_GPU_MEMORY) : choice;
        } catch (e) {
          if (e instanceof NoFormatFitsError) throw new UsageError(`--weights auto: ${e.message}`);
          throw e;
        }
        r = infoReport(gpu, { id: `shape:${shape.name}`, spec, weightFormat: format, fingerprint: null }, n);
      } else {
        const loaded = await loadCliModel(values.model as string | undefined, progress, { revision: values.revision, weights: values.weights, n });
        progress('');
        r = loadedInfo(loaded, n);
      }
      process.stdout.write((values.json ? JSON.stringify(r) : printInfo(r)) + '\n');
      return 0;
    }
    case 'eval': {
      const { values } = parse(rest, { ...COMMON, ...TEXT, bos: { type: 'boolean' } });
      const loaded = await loadCliModel(values.model as string | undefined, progress, { revision: values.revision, weights: values.weights });
      progress('');
      const room = loaded.model.spec.maxPositions - (values.bos ? 1 : 0);
      let { tokens } = readTokens(values as Record<string, string>, loaded.tokenizer, loaded.model.spec.vocabSize, { maxTokens: room, cut: false });
      if (values.bos) {
        const bos = loaded.model.spec.bosTokenId ?? loaded.tokenizer.bosTokenId;
        if (bos === null) throw new UsageError('--bos: this model has no BOS token.');
        tokens = [bos, ...tokens];
      }
      const r = await runEval(loaded, tokens);
      process.stdout.write((values.json ? JSON.stringify(r) : printEval(r, loaded.tokenizer.tokenStrings(tokens))) + '\n');
      return 0;
    }
    case 'compress': {
      const { values } = parse(rest, {
        ...COMMON,
        ...TEXT,
        ...flagOptions(RUN_FIELDS),
        'max-tokens': { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        method: { type: 'string' },
        'memory-tokens': { type: 'string' },
        m: { type: 'string' },
        'freeze-m': { type: 'boolean' },
        encoder: { type: 'string' },
      });
      const memory = memoryFlags(values);
      if (values['freeze-m'] && values.m === undefined) throw new UsageError('--freeze-m keeps the m of --m FILE fixed; give --m FILE.');
      if (memory && (values.m !== undefined || values.encoder !== undefined)) throw new UsageError(`${values.m !== undefined ? '--m FILE is a proto-token m' : '--encoder FILE predicts proto-tokens'}; --method memory has none.`);
      if (values.m !== undefined && values.encoder !== undefined) throw new UsageError('--encoder FILE brings its own m; leave out --m.');
      // Read (and size-checked) before the model loads; checked against the model once it has.
      const mBytes = values.m !== undefined ? readSolutionFile('--m', values.m as string) : null;
      const encoderBytes = values.encoder !== undefined ? readSolutionFile('--encoder', values.encoder as string) : null;
      const settings = compressSettings(values);
      if (values.force && values.out === undefined) throw new UsageError('--force replaces the solution file --out names; give --out FILE.');
      // Before the model loads and anything trains: a run must not be lost to a bad --out at its end.
      const out = values.out !== undefined ? checkSolutionOut(values.out as string, values.force === true) : null;
      const loaded = await loadCliModel(values.model as string | undefined, progress, { revision: values.revision, weights: values.weights });
      progress('');
      // --max-tokens N: only the start is needed, so only the start is tokenized.
      const maxTokens = values['max-tokens'] !== undefined ? positiveInt('--max-tokens', values['max-tokens'] as string) : undefined;
      const { tokens } = readTokens(values as Record<string, string>, loaded.tokenizer, loaded.model.spec.vocabSize, {
        maxTokens: maxTokens ?? maxTokensForRun(loaded.model.spec.maxPositions, settings, memory ? { kind: 'memory', K: memory.K } : ONESHOT),
        cut: maxTokens !== undefined,
      });
      const text = loaded.tokenizer.decode(tokens);
      const start: CompressStart | undefined = mBytes
        ? { init: values['freeze-m'] ? 'universal-m frozen' : 'universal-m', m: (await decodeUniversalMBytes(mBytes, values.m as string, loaded.model)).m }
        : encoderBytes
          ? await encoderStart(loaded.model, await decodeEncoderBytes(encoderBytes, values.encoder as string, loaded.model), tokens, settings)
          : undefined;
      const r = memory ? await runCompressMemory(loaded, tokens, text, settings, memory.K, out) : await runCompress(loaded, tokens, text, settings, out, start);
      process.stdout.write((values.json ? JSON.stringify(r) : printCompress(r)) + '\n');
      return 0;
    }
    case 'encoder': {
      process.stdout.write((await encoderMain(rest, progress)) + '\n');
      return 0;
    }
    case 'universal-m': {
      process.stdout.write((await universalMMain(rest, progress)) + '\n');
      return 0;
    }
    case 'decode': {
      const { values } = parse(rest, { ...COMMON, solution: { type: 'string' } });
      const loaded = await loadCliModel(values.model as string | undefined, progress, { revision: values.revision, weights: values.weights });
      progress('');
      const r = await runDecode(loaded, values.solution as string | undefined);
      const json = { tokens: r.tokens, text: r.text, ...(r.note ? { weight_format_note: r.note } : {}) };
      process.stdout.write((values.json ? JSON.stringify(json) : `${r.text}\n(${(100 * r.accuracy).toFixed(1)} % of the saved target)${r.note ? `\n${r.note}` : ''}`) + '\n');
      return 0;
    }
    case 'bench': {
      const { values } = parse(rest, { ...COMMON, n: { type: 'string' }, shape: { type: 'string' } });
      if (values.n === undefined) throw new UsageError('--n N is required (the number of positions to time a step at, e.g. 64).');
      const n = positiveInt('--n', values.n as string);
      if (values.shape !== undefined && values.model !== undefined) throw new UsageError('Give --model DIR or --shape NAME, not both.');
      const loaded =
        values.shape !== undefined
          ? await loadCliShape(values.shape as string, progress, { weights: values.weights, n })
          : await loadCliModel(values.model as string | undefined, progress, { revision: values.revision, weights: values.weights, n });
      progress('');
      const r = await runBench(loaded, n);
      process.stdout.write((values.json ? JSON.stringify(r) : printBench(r)) + '\n');
      return 0;
    }
    case 'throughput': {
      const { values } = parse(rest, { ...COMMON, solution: { type: 'string' }, repeats: { type: 'string' }, 'memory-tokens': { type: 'string' } });
      const repeats = flagValue(EXPERIMENT_FIELDS.repeats, values) ?? EXPERIMENT_FIELDS.repeats.fallback;
      const K = flagValue(EXPERIMENT_FIELDS.memoryTokens, values);
      if (values.solution === undefined) throw new UsageError('--solution FILE is required (a .safetensors solution of either method, from compress or the lab).');
      const loaded = await loadCliModel(values.model as string | undefined, progress, { revision: values.revision, weights: values.weights });
      progress('');
      const r = await runThroughput(loaded, values.solution as string, { repeats, K });
      process.stdout.write((values.json ? JSON.stringify(r) : printThroughput(r)) + '\n');
      return 0;
    }
    case 'sweep':
      return sweepMain(rest, progress);
    case 'report': {
      let parsed;
      try {
        parsed = parseArgs({
          args: rest,
          options: {
            json: { type: 'boolean' },
            markdown: { type: 'boolean' },
            plots: { type: 'string' },
            'no-plots': { type: 'boolean' },
            method: { type: 'string' },
            source: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
          strict: true,
          allowPositionals: true,
        });
      } catch (e) {
        throw new UsageError(`${(e as Error).message.split('\n')[0]} (see protolab --help).`);
      }
      const { values, positionals } = parsed;
      if (positionals.length === 0) throw new UsageError("Give the results files: protolab report results.jsonl [more.jsonl 'shards/*.jsonl' ...] [--json] [--markdown] [--plots DIR].");
      if (values.plots !== undefined && values['no-plots']) throw new UsageError('Give --plots DIR or --no-plots, not both.');
      if (values.json && values.markdown) throw new UsageError('Give --json or --markdown, not both.');
      const r = runReport({
        files: positionals,
        json: values.json === true,
        format: values.markdown ? 'markdown' : 'text',
        plots: values['no-plots'] ? null : values.plots,
        method: values.method,
        source: values.source,
      });
      process.stdout.write(r.stdout + '\n');
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}". Commands: info, eval, compress, decode, sweep, report, throughput, universal-m, encoder (see protolab --help).`);
  }
}

/**
 * Exits once stdout and stderr have taken everything written. On Linux Node writes to pipes
 * synchronously, but on macOS asynchronously, where exiting at once can cut a long --json (a
 * plan's work list, a merged report) that a slow reader has not taken yet.
 */
function exitAfterFlush(code: number): void {
  // A process exit (not a test), after both streams have drained; the GPU device's handles would otherwise keep Node alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exitAfterFlush, (e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`protolab: ${oneLine(msg)}\n`);
  if (process.env.PROTOLAB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  exitAfterFlush(e instanceof UsageError ? 2 : 1);
});
