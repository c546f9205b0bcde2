import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLine, protolab } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';

// Issue 18, paths that are not regular files: every file the command line reads is checked to be
// one, with a size bound, before a byte is read (a device hung or filled the memory; a pipe was
// called missing; a folder gave a raw EISDIR).
describe('files the command line reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-inputs-'));

  it.each([
    [['decode', '--model', STORIES, '--solution', '/dev/zero'], 'protolab: --solution: /dev/zero is not a regular file (a device or a pipe); save it to a file first, then give that.'],
    [['decode', '--model', STORIES, '--solution', dir], `protolab: --solution: ${dir} is a folder; give a .safetensors solution saved by compress or the lab.`],
    [['throughput', '--model', STORIES, '--solution', '/dev/zero'], 'protolab: --solution: /dev/zero is not a regular file (a device or a pipe); save it to a file first, then give that.'],
    [['compress', '--model', STORIES, '--text-file', '/dev/stdin'], 'protolab: --text-file: /dev/stdin is not a regular file (a device or a pipe); save it to a file first, then give that.'],
    [['eval', '--model', STORIES, '--text-file', dir], `protolab: --text-file: ${dir} is a folder; give a UTF-8 text file.`],
    [['report', '/dev/zero'], 'protolab: report: /dev/zero is not a regular file (a device or a pipe); save it to a file first, then give that.'],
  ])('%j: one line naming the path and what to do, exit 2', (args, message) => {
    const r = protolab(args, 60_000);
    expect(r.code).toBe(2);
    expect(errorLine(r)).toBe(message);
  });

  // Issue 18, bounded work before the check: a 20 MB text is tokenized only as far as the answer needs.
  it('a 20 MB --text-file is refused by eval as longer than the model takes, and compress --max-tokens 8 uses its start', () => {
    const book = join(dir, 'book.txt');
    writeFileSync(book, 'Once upon a time there was a little cat. '.repeat(500_000));
    const refused = protolab(['eval', '--model', STORIES, '--text-file', book], 120_000);
    expect(refused.code).toBe(2);
    expect(errorLine(refused)).toBe('protolab: The text is longer than the 512 tokens the model takes; give a shorter text (compress: or --max-tokens N to use its start).');
    const start = protolab(['compress', '--model', STORIES, '--text-file', book, '--max-tokens', '8', '--steps', '1', '--json'], 120_000);
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout).tokens).toHaveLength(8);
    // And --ids are cut the same way.
    const ids = protolab(['compress', '--model', STORIES, '--ids', '403,407,261,378,300', '--max-tokens', '2', '--steps', '1', '--json'], 120_000);
    expect(ids.code, ids.stderr).toBe(0);
    expect(JSON.parse(ids.stdout).tokens).toEqual([403, 407]);
  });
});
