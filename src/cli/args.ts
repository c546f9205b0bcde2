/** Flag parsing the commands share: the common flags, the text flags, strict parsing with one-line errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

export const COMMON = { model: { type: 'string' }, revision: { type: 'string' }, weights: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
export const TEXT = { text: { type: 'string' }, 'text-file': { type: 'string' }, ids: { type: 'string' } } as const;

export type Values = Record<string, string | boolean | undefined>;

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Values } {
  try {
    return { values: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see protolab --help)`);
  }
}

export function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag} must be a positive whole number, got "${v}".`);
  return Number(v);
}

