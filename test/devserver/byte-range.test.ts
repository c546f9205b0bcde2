import { describe, expect, it } from 'vitest';
import { parseByteRange } from '../../src/devserver/byte-range.ts';

describe('parseByteRange', () => {
  it('serves the whole file without a header or with one it does not understand', () => {
    expect(parseByteRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseByteRange('items=0-5', 100)).toEqual({ kind: 'full' });
    expect(parseByteRange('bytes=0-5,10-20', 100)).toEqual({ kind: 'full' });
    expect(parseByteRange('bytes=-', 100)).toEqual({ kind: 'full' });
    expect(parseByteRange('bytes=9-3', 100)).toEqual({ kind: 'full' });
    expect(parseByteRange('bytes=abc', 100)).toEqual({ kind: 'full' });
  });

  it('reads closed, open-ended and suffix ranges', () => {
    expect(parseByteRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseByteRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseByteRange('Bytes = 5 - 5', 100)).toEqual({ kind: 'partial', start: 5, end: 5 });
  });

  it('clamps ranges running past the end', () => {
    expect(parseByteRange('bytes=95-1000', 100)).toEqual({ kind: 'partial', start: 95, end: 99 });
    expect(parseByteRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('refuses ranges that start past the end or are empty', () => {
    expect(parseByteRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=200-300', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});
