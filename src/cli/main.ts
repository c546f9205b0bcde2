import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import { loadCliModel } from './model-dir.ts';
import { readTokens } from './inputs.ts';
import { infoReport, printInfo } from './commands/info.ts';
import { runEval, printEval } from './commands/eval.ts';

const USAGE = `protolab — proto-token lab on the command line

  protolab info --model DIR [--json]
  protolab eval --model DIR (--text TEXT | --text-file F | --ids 1,2,3) [--bos] [--json]

DIR is a Hugging Face model folder (config.json, model.safetensors or a sharded index, tokenizer.json).`;

const COMMON = { model: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const TEXT = { text: { type: 'string' }, 'text-file': { type: 'string' }, ids: { type: 'string' } } as const;

function parse<T extends Parameters<typeof parseArgs>[0]['options']>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see protolab --help)`);
  }
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
    default:
      throw new UsageError(`Unknown command "${command}". Commands: info, eval (see protolab --help).`);
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
