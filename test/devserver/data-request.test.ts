import { describe, expect, it } from 'vitest';
import { parseDataRequest } from '../../src/devserver/data-middleware.ts';

describe('/data/ request targets', () => {
  it('maps the index and files, and leaves other paths alone', () => {
    expect(parseDataRequest('/data/index.json')).toEqual({ kind: 'index' });
    expect(parseDataRequest('/data/pg19/test/10146.txt?x=1')).toEqual({ kind: 'file', path: 'pg19/test/10146.txt' });
    expect(parseDataRequest('/models/index.json')).toBeNull();
    expect(parseDataRequest('/')).toBeNull();
  });

  it.each(['/data/../models/x', '/data/%2e%2e/secret', '/data/pg19/.hidden', '/data/a%2fb', '/data/a\\b', '/data/%ZZ', '/data/pg19//x.txt'])('refuses %s', (url) => {
    expect(parseDataRequest(url)).toEqual({ kind: 'invalid' });
  });
});
