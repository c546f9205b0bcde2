import { describe, expect, it } from 'vitest';
import { normaliseTags, sameModel, summaryOf, MAX_TAGS } from '../../src/library/records.ts';
import { isSortKey, recordsOfModel, searchRecords, sortRecords, tagCounts } from '../../src/library/query.ts';
import { exportFileName, modelShortName, uniqueNames } from '../../src/library/names.ts';
import { isZipName, unzipSolutions, zipFiles, ZipReadError } from '../../src/library/zip.ts';
import { record } from './fixtures.ts';

describe('library records', () => {
  it('a record carries the solution metadata, the bytes and the library fields', () => {
    const r = record(3, { text: 'Once upon', targetIds: [5, 6] }, ['Good', 'good ', 'seed sweep']);
    expect(r).toMatchObject({ name: 'sol-3.safetensors', model: 'stories260k', modelFingerprint: 'fp-stories', text: 'Once upon', ids: [5, 6], N: 2, method: 'oneshot', source: 'run', stoppedBy: 'solved', savedAt: '2026-12-01T12:03:00.000Z' });
    expect(r.tags).toEqual(['good', 'seed sweep']);
    expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Uint8Array(r.bytes)).toEqual(new Uint8Array([3, 3, 3, 7]));
    const s = summaryOf(r);
    expect('bytes' in s).toBe(false);
    expect(s.text).toBe('Once upon');
  });

  it('tags are trimmed, lower-cased, unique and comma-separated', () => {
    expect(normaliseTags(' Alpha, beta ,alpha,,  two   words ')).toEqual(['alpha', 'beta', 'two words']);
    expect(normaliseTags(['a,b', 'B', ''])).toEqual(['a', 'b']);
    expect(normaliseTags(Array.from({ length: 30 }, (_, i) => `t${i}`))).toHaveLength(MAX_TAGS);
  });

  it('sameModel compares fingerprints', () => {
    expect(sameModel([record(1), record(2)])).toBe(true);
    expect(sameModel([record(1), record(2, { modelFingerprint: 'other' })])).toBe(false);
    expect(recordsOfModel([record(1), record(2, { modelFingerprint: 'other' })], 'other')).toHaveLength(1);
  });
});

describe('library search and sort', () => {
  const a = record(1, { text: 'The cat sat on the mat', accuracy: 0.5, cTokens: 2, model: 'stories260k' }, ['keep']);
  const b = record(2, { text: 'A dog ran', accuracy: 1, model: 'pythia-70m', modelFingerprint: 'fp-pythia', targetIds: [1, 2, 3, 4, 5, 6] });
  const c = record(3, { text: 'the end', accuracy: 0.75, cTokens: 3 }, ['keep', 'best']);

  it('finds every word anywhere, and tag:/model: exactly', () => {
    expect(searchRecords([a, b, c], 'THE').map((r) => r.name)).toEqual([a.name, c.name]);
    expect(searchRecords([a, b, c], 'the mat')).toEqual([a]);
    expect(searchRecords([a, b, c], 'tag:keep')).toEqual([a, c]);
    expect(searchRecords([a, b, c], 'tag:kee')).toEqual([]);
    expect(searchRecords([a, b, c], 'model:pythia')).toEqual([b]);
    expect(searchRecords([a, b, c], '  ')).toEqual([a, b, c]);
  });

  it('sorts by accuracy, model, text, length and date both ways', () => {
    expect(sortRecords([a, b, c], 'accuracy', 'desc')).toEqual([b, c, a]);
    expect(sortRecords([a, b, c], 'accuracy', 'asc')).toEqual([a, c, b]);
    expect(sortRecords([a, b, c], 'model', 'asc')[0]).toBe(b);
    expect(sortRecords([a, b, c], 'text', 'asc').map((r) => r.text)).toEqual(['A dog ran', 'The cat sat on the mat', 'the end'].sort((x, y) => x.localeCompare(y)));
    expect(sortRecords([a, b, c], 'N', 'desc')[0]).toBe(b);
    expect(sortRecords([b, a, c], 'savedAt', 'desc')).toEqual([c, b, a]);
    // Ties: newest first.
    expect(sortRecords([a, c], 'model', 'asc')).toEqual([c, a]);
    expect(isSortKey('accuracy')).toBe(true);
    expect(isSortKey('bytes')).toBe(false);
  });

  it('counts tags, most used first', () => {
    expect(tagCounts([a, b, c])).toEqual([['keep', 2], ['best', 1]]);
  });
});

describe('export names and zips', () => {
  it('names a file like the compress page does, safe for any file system', () => {
    expect(exportFileName({ model: 'stories260k', N: 16, seed: 0 })).toBe('stories260k-16tok-seed0.safetensors');
    expect(exportFileName({ model: 'EleutherAI/pythia-70m@main', N: 4, seed: 3 })).toBe('pythia-70m-4tok-seed3.safetensors');
    expect(exportFileName({ model: '../..', N: 4, seed: 3 })).toBe('model-4tok-seed3.safetensors');
    expect(modelShortName('http://127.0.0.1:4201/models/stories260k/')).toBe('stories260k');
    expect(modelShortName('EleutherAI/pythia-70m@main')).toBe('pythia-70m');
    expect(uniqueNames(['a.safetensors', 'A.safetensors', 'a.safetensors', 'b'])).toEqual(['a.safetensors', 'A-2.safetensors', 'a-3.safetensors', 'b']);
  });

  it('zips many solutions and reads them back, skipping other entries', () => {
    const files = [
      { name: 'x.safetensors', bytes: new Uint8Array([1, 2, 3]) },
      { name: 'x.safetensors', bytes: new Uint8Array([4, 5]) },
    ];
    const zip = zipFiles(files);
    const back = unzipSolutions(zip, 'all.zip');
    expect(back.map((f) => f.name)).toEqual(['all.zip/x.safetensors', 'all.zip/x-2.safetensors']);
    expect(back.map((f) => Array.from(f.bytes))).toEqual([[1, 2, 3], [4, 5]]);
    expect(isZipName('All.ZIP')).toBe(true);
    expect(isZipName('a.safetensors')).toBe(false);
  });

  it('a damaged zip is refused with its name and what to do', () => {
    const zip = zipFiles([{ name: 'x.safetensors', bytes: new Uint8Array(100).fill(9) }]);
    expect(() => unzipSolutions(zip.slice(0, 40), 'cut.zip')).toThrow(ZipReadError);
    expect(() => unzipSolutions(zip.slice(0, 40), 'cut.zip')).toThrow(/cut\.zip is not a readable zip file.*one by one/);
  });
});
