import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import { loadCliModel } from './model-dir.ts';
import { readTokens } from './inputs.ts';
import { infoReport, printInfo } from './commands/info.ts';
import { runEval, printEval } from './commands/eval.ts';
import { runCompress, printCompress } from './commands/compress.ts';
import { runDecode } from './commands/decode.ts';
import { PAPER_SETTINGS, type ProtoSettings } from '../prototokens/settings.ts';
import { isLayoutName, LAYOUT_NAMES } from '../prototokens/layouts.ts';

const USAGE = `protolab — proto-token lab on the command line

  protolab info --model DIR [--json]
  protolab eval --model DIR (--text TEXT | --text-file F | --ids 1,2,3) [--bos] [--json]
  protolab compress --model DIR (--text T | --text-file F | --ids ...) [--max-tokens N] [--steps S]
                    [--lr X] [--seed K] [--layout NAME] [--first-target e|first-m] [--init normal|embedding-std]
                    [--report-every K] [--out FILE] [--json]
  protolab decode --model DIR --solution FILE [--json]

DIR is a Hugging Face model folder (config.json, model.safetensors or a sharded index, tokenizer.json).`;

const COMMON = { model: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const TEXT = { text: { type: 'string' }, 'text-file': { type: 'string' }, ids: { type: 'string' } } as const;

type Values = Record<string, string | boolean | undefined>;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Values } {
  try {
    return { values: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see protolab --help)`);
  }
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag} must be a positive whole number, got "${v}".`);
  return Number(v);
}

function positiveNumber(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${v}".`);
  return n;
}

function compressSettings(v: Values): ProtoSettings {
  const s: ProtoSettings = { ...PAPER_SETTINGS };
  if (v.steps !== undefined) s.maxSteps = positiveInt('--steps', v.steps as string);
  if (v.lr !== undefined) s.lr = positiveNumber('--lr', v.lr as string);
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed as string) || Number(v.seed) > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295, got "${v.seed}".`);
    s.seed = Number(v.seed);
  }
  if (v['report-every'] !== undefined) s.reportEvery = positiveInt('--report-every', v['report-every'] as string);
  if (v.layout !== undefined) {
    if (!isLayoutName(v.layout as string)) throw new UsageError(`--layout must be one of ${LAYOUT_NAMES.join(', ')}; got "${v.layout}".`);
    s.layout = v.layout as ProtoSettings['layout'];
  }
  if (v['first-target'] !== undefined) {
    if (v['first-target'] !== 'e' && v['first-target'] !== 'first-m') throw new UsageError(`--first-target must be e or first-m, got "${v['first-target']}".`);
    s.firstTarget = v['first-target'];
  }
  if (v.init !== undefined) {
    if (v.init !== 'normal' && v.init !== 'embedding-std') throw new UsageError(`--init must be normal or embedding-std, got "${v.init}".`);
    s.init = v.init;
  }
  return s;
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
      const { values } = parse(rest, COMMON);
      const loaded = await loadCliModel(values.model as string | undefined, progress);
      progress('');
      const r = infoReport(loaded);
      process.stdout.write((values.json ? JSON.stringify(r) : printInfo(r)) + '\n');
      return 0;
    }
    case 'eval': {
      const { values } = parse(rest, { ...COMMON, ...TEXT, bos: { type: 'boolean' } });
      const loaded = await loadCliModel(values.model as string | undefined, progress);
      progress('');
      let { tokens } = readTokens(values as Record<string, string>, loaded.tokenizer, loaded.model.spec.vocabSize);
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
        'max-tokens': { type: 'string' },
        steps: { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        layout: { type: 'string' },
        'first-target': { type: 'string' },
        init: { type: 'string' },
        'report-every': { type: 'string' },
        out: { type: 'string' },
      });
      const settings = compressSettings(values);
      const loaded = await loadCliModel(values.model as string | undefined, progress);
      progress('');
      const input = readTokens(values as Record<string, string>, loaded.tokenizer, loaded.model.spec.vocabSize);
      let tokens = input.tokens;
      if (values['max-tokens'] !== undefined) tokens = tokens.slice(0, positiveInt('--max-tokens', values['max-tokens'] as string));
      const text = loaded.tokenizer.decode(tokens);
      const r = await runCompress(loaded, tokens, text, settings, (values.out as string | undefined) ?? null);
      process.stdout.write((values.json ? JSON.stringify(r) : printCompress(r)) + '\n');
      return 0;
    }
    case 'decode': {
      const { values } = parse(rest, { ...COMMON, solution: { type: 'string' } });
      const loaded = await loadCliModel(values.model as string | undefined, progress);
      progress('');
      const r = await runDecode(loaded, values.solution as string | undefined);
      process.stdout.write((values.json ? JSON.stringify({ tokens: r.tokens, text: r.text }) : `${r.text}\n(${(100 * r.accuracy).toFixed(1)} % of the saved target)`) + '\n');
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}". Commands: info, eval, compress, decode (see protolab --help).`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`protolab: ${msg.split('\n')[0]}\n`);
    if (process.env.PROTOLAB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
