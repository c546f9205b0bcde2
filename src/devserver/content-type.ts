import { extname } from 'node:path';

// Weights and tokenizer binaries are opaque bytes; naming them octet-stream keeps browsers from
// sniffing or transcoding them.
const TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.safetensors': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
  '.model': 'application/octet-stream',
  '.gguf': 'application/octet-stream',
};

export function contentTypeFor(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}
