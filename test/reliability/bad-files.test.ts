/**
 * Issue 7, files from the user: solution files too big to be one (refused by size, before they are
 * parsed, in every reader and on the command line), text files that are not UTF-8 (left out with the
 * offset of the first bad byte, the others kept; `File.text()` would have replaced the bytes silently).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAnySolutionBytes, decodeMemorySolutionBytes } from '../../src/memory/solution-file.ts';
import { SolutionFileError, decodeSolutionBytes, encodeSolution } from '../../src/prototokens/solution-file.ts';
import { readTextFiles } from '../../src/datasets/files.ts';
import { MAX_SOLUTION_BYTES, solutionSizeProblem } from '../../src/util/solution-size.ts';
import { errorLine, protolab } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';

const TOO_BIG = /weights\.safetensors is 16\.0 MiB, too big for a solution file \(at most 16\.0 MiB: a solution holds two vectors and their metadata\)\. Pick a \.safetensors solution saved by the lab, not model weights\./;

describe('oversized solution files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-badfiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the limit sits just above any real solution', () => {
    expect(solutionSizeProblem('a.safetensors', MAX_SOLUTION_BYTES)).toBeNull();
    expect(solutionSizeProblem('weights.safetensors', MAX_SOLUTION_BYTES + 1)).toMatch(TOO_BIG);
    // A real one-shot solution for an 8192-wide model with a 4000-token text is far below it.
    const wide = encodeSolution({
      e: new Float32Array(8192),
      m: new Float32Array(8192),
      meta: {
        model: 'big', modelFingerprint: 'f'.repeat(64), weightFormat: 'f32', hidden: 8192, layout: 'e,m*(N-1)', firstTarget: 'e', targetIds: Array.from({ length: 4000 }, (_, i) => 100_000 + i),
        text: 'word '.repeat(4000), seed: 0, lr: 0.01, init: 'normal', steps: 1, loss: 0, accuracy: 1, cTokens: 4000, seconds: 1, createdAt: '', labVersion: '0.1.0',
      },
    });
    expect(wide.length).toBeLessThan(MAX_SOLUTION_BYTES / 100);
  });

  it('every solution reader refuses by size before parsing', async () => {
    const big = new Uint8Array(MAX_SOLUTION_BYTES + 1);
    const readers: ((b: Uint8Array, name: string) => Promise<unknown>)[] = [decodeSolutionBytes, decodeMemorySolutionBytes, decodeAnySolutionBytes];
    for (const read of readers) {
      const err = await Promise.resolve()
        .then(() => read(big, 'weights.safetensors'))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SolutionFileError);
      expect((err as Error).message).toMatch(TOO_BIG);
    }
  });

  it('the command line refuses it with one line and a non-zero exit', () => {
    const file = join(dir, 'weights.safetensors');
    writeFileSync(file, new Uint8Array(MAX_SOLUTION_BYTES + 1));
    const r = protolab(['decode', '--model', STORIES, '--solution', file]);
    expect(r.code).not.toBe(0);
    const line = errorLine(r);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/too big for a solution file/);
  }, 120_000);

  it('--text-file that is not UTF-8 names the offset and the byte', () => {
    const file = join(dir, 'latin1.txt');
    writeFileSync(file, Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]));
    const r = protolab(['eval', '--model', STORIES, '--text-file', file]);
    expect(r.code).not.toBe(0);
    expect(errorLine(r)).toMatch(/--text-file: .*latin1\.txt is not UTF-8 text \(invalid byte 0xe9 at offset 3\); save it as UTF-8 and try again\./);
  }, 120_000);
});

describe('picked text files (experiments view) are read strictly as UTF-8', () => {
  it('keeps the good files and names each bad one with its first bad byte', async () => {
    const files = [
      new File(['Lily saw a dog. 😀 שלום'], 'good.txt'),
      new File([Uint8Array.from([0x63, 0x61, 0x66, 0xe9])], 'latin1.txt'),
      new File([Uint8Array.from([0x61, 0xed, 0xa0, 0x80])], 'surrogate.txt'),
      new File([''], 'empty.txt'),
    ];
    const r = await readTextFiles(files);
    expect(r.texts).toEqual([
      { name: 'good.txt', text: 'Lily saw a dog. 😀 שלום' },
      { name: 'empty.txt', text: '' },
    ]);
    expect(r.refused).toEqual([
      'latin1.txt is not UTF-8 text (invalid byte 0xe9 at offset 3); save it as UTF-8 and try again.',
      'surrogate.txt is not UTF-8 text (invalid byte 0xed at offset 1); save it as UTF-8 and try again.',
    ]);
  });
});
