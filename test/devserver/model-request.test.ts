import { describe, expect, it } from 'vitest';
import { parseModelRequest } from '../../src/devserver/model-request.ts';

describe('parseModelRequest', () => {
  it('ignores paths outside /models/', () => {
    expect(parseModelRequest('/')).toBeNull();
    expect(parseModelRequest('/models')).toBeNull();
    expect(parseModelRequest('/src/main.tsx')).toBeNull();
    expect(parseModelRequest('/modelsx/a/b')).toBeNull();
  });

  it('recognises the index and model files, dropping the query', () => {
    expect(parseModelRequest('/models/index.json')).toEqual({ kind: 'index' });
    expect(parseModelRequest('/models/index.json?t=1')).toEqual({ kind: 'index' });
    expect(parseModelRequest('/models/stories260k/config.json?v=2')).toEqual({ kind: 'file', model: 'stories260k', path: 'config.json' });
    expect(parseModelRequest('/models/m/onnx/model.onnx')).toEqual({ kind: 'file', model: 'm', path: 'onnx/model.onnx' });
    expect(parseModelRequest('/models/m/model%2D1.bin')).toEqual({ kind: 'file', model: 'm', path: 'model-1.bin' });
  });

  it.each([
    '/models/',
    '/models/m',
    '/models/m/',
    '/models/../../etc/passwd',
    '/models/m/../../etc/passwd',
    '/models/m/./config.json',
    '/models/%2e%2e/%2e%2e/etc/passwd',
    '/models/m/%2E%2E/secret',
    '/models/m/%252e%252e/secret',
    '/models/m/..%2f..%2fsecret',
    '/models/m/%2fetc%2fpasswd',
    '/models/m/..%5c..%5csecret',
    '/models/m\\..\\..\\secret',
    '/models/m/config.json%00.txt',
    '/models/m/config.json\u0000',
    '/models//etc/passwd',
    '/models/m//etc/passwd',
    '/models/C:%5CWindows/win.ini',
    '/models/m/C:/Windows/win.ini',
    '/models/m/.hidden',
    '/models/m/%2ehidden',
    '/models/m/with%20space.txt',
    '/models/m/%c0%ae%c0%ae/secret',
    '/models/m/%',
  ])('refuses %s', (url) => {
    expect(parseModelRequest(url)).toEqual({ kind: 'invalid' });
  });
});
